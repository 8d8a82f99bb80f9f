import { describe, expect, it } from 'vitest';
import { fitLabel, labelRoom } from '../../src/lib/charts/fit-label.js';

/** Ten pixels a character, whatever it is. */
const measure = (text: string) => Array.from(text).length * 10;

describe('a chart label cut to its axis', () => {
	it('is kept whole when it fits', () => {
		expect(fitLabel('random', 60, measure)).toBe('random');
	});

	it('loses its end, not its start, with an ellipsis, and fits the room', () => {
		const label = 'support-ticket:close ← client · /support-tenant-northwind';
		const fitted = fitLabel(label, 150, measure);
		expect(fitted).toBe('support-ticket…');
		expect(measure(fitted)).toBeLessThanOrEqual(150);
		// No space left dangling before the ellipsis.
		expect(fitLabel('ticket close', 80, measure)).toBe('ticket…');
	});

	it('never cuts a character in half', () => {
		expect(fitLabel('🚀🚀🚀🚀', 30, measure)).toBe('🚀🚀…');
	});

	it('is at most half a chart, less what the axis spends beside it', () => {
		expect(labelRoom(300)).toBe(132);
		expect(labelRoom(2000)).toBe(280);
		expect(labelRoom(20)).toBe(0);
		expect(fitLabel('room', labelRoom(20), measure)).toBe('…');
	});
});
