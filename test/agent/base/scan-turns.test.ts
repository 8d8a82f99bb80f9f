/**
 * The turns every scan of the agent shares: a dashboard's answers go before the refreshes of live
 * windows, whatever order they asked in.
 */
import { describe, expect, it } from 'vitest';
import { ScanTurns } from '../../../server/agent/base/scan-turns.js';

describe('ScanTurns', () => {
	it('serves a waiting answer before refreshes that asked earlier', async () => {
		const turns = new ScanTurns();
		const order: string[] = [];
		const waits = [
			...['refresh 1', 'refresh 2', 'refresh 3'].map((name) =>
				turns.next('background').then(() => order.push(name))
			),
			turns.next('answer').then(() => order.push('first view'))
		];
		await Promise.all(waits);
		expect(order).toEqual(['first view', 'refresh 1', 'refresh 2', 'refresh 3']);
		expect(turns.pending).toBe(0);
	});
});
