/**
 * `history:query` with an absolute span (`from`, `to`): the rows between, at full resolution while
 * the fine ring holds the start and in coarse buckets after; a bad span is refused with a clear
 * error, over a real admin namespace.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import { HistoryStore } from '../../../server/agent/history/history.js';
import { HISTORY_KEPT } from '../../../server/protocol/limits.js';
import type { History, Sample } from '../../../server/protocol/models.js';
import { emptyNamespaceSample } from '../../../server/protocol/samples.js';
import { ask, nextSample, startFixture, type Fixture } from '../../support/agent-fixture.js';

function sample(t: number): Sample {
	const zero = { p50: 0, p90: 0, p99: 0, max: 0, count: 0 };
	return {
		nodeId: 'n',
		t,
		interval: 1000,
		namespaces: [{ ...emptyNamespaceSample('/a'), sockets: 1, eventsIn: t / 1000 }],
		rtt: zero,
		process: { cpu: 0, rss: 1, heapUsed: 1, heapTotal: 1, elu: 0, loopDelay: zero, uptime: 1 },
		faults: 0
	};
}

describe('history of an absolute span', () => {
	const store = new HistoryStore('n', 1000);
	// Twenty minutes, one sample a second: the fine ring holds the last fifteen.
	const end = 1_200_000;
	for (let t = 1000; t <= end; t += 1000) store.add(sample(t));

	test('comes at full resolution while the fine ring holds its start', () => {
		const h = store.query({ from: end - 60_000, to: end - 50_000 }, () => true, end);
		expect(h.step).toBe(1000);
		expect(h.t).toEqual(Array.from({ length: 11 }, (_, i) => end - 60_000 + i * 1000));
		expect(h.namespaces['/a'].eventsIn[0]).toBe((end - 60_000) / 1000);
	});

	test('comes in coarse buckets when it starts before the fine ring', () => {
		const from = end - HISTORY_KEPT.FINE_MS - 60_000;
		const h = store.query({ from, to: from + 120_000 }, () => true, end);
		expect(h.step).toBe(10_000);
		expect(h.t).toHaveLength(13);
		expect(h.t.every((t) => t >= from && t <= from + 120_000)).toBe(true);
	});

	test('is empty before the history kept', () => {
		expect(store.query({ from: 0, to: 500 }, () => true, end).t).toEqual([]);
	});
});

describe('history:query validation', () => {
	let f: Fixture;
	let dashboard: ClientSocket;

	beforeAll(async () => {
		f = await startFixture();
		({ socket: dashboard } = await f.dashboard());
	});

	afterAll(() => f?.close());

	test('answers an absolute span with the rows inside it', async () => {
		await f.client('/');
		const first = await nextSample(dashboard);
		await nextSample(dashboard, (s) => s.t > first.t + 600);
		const [h] = await ask<History[]>(dashboard, 'history:query', {
			from: first.t,
			to: first.t + 400
		});
		expect(h.t.length).toBeGreaterThan(0);
		expect(h.t.every((t) => t >= first.t && t <= first.t + 400)).toBe(true);
	});

	test.each([
		[{ from: 2000, to: 1000 }, 'to: must be after from'],
		[{ from: 1000, to: 1000 }, 'to: must be after from'],
		[{ from: 0, to: HISTORY_KEPT.COARSE_MS + 1 }, 'to: at most 6 h after from'],
		[{ from: 1000 }, 'to: an absolute range needs both from and to'],
		[{ range: '1m', from: 0, to: 1 }, 'range: give either a range or from and to'],
		[{}, 'from: give a range or from and to'],
		[{ from: -1, to: 5 }, 'from:'],
		[{ from: 1.5, to: 5 }, 'from:'],
		[{ from: '1', to: 5 }, 'from:'],
		[{ range: '24h' }, 'range:']
	])('refuses %j with a clear error', async (query, message) => {
		await expect(ask(dashboard, 'history:query', query)).rejects.toMatchObject({
			code: 'E_VALIDATION',
			message: expect.stringContaining(message)
		});
	});

	test('still answers a preset range', async () => {
		const [h] = await ask<History[]>(dashboard, 'history:query', { range: '1m' });
		expect(h.step).toBe(200);
	});
});
