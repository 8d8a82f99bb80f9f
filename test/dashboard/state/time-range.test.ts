/** Absolute spans: read from the URL, checked against the history kept, and said in words. */
import { describe, expect, it } from 'vitest';
import {
	fromLocalInput,
	keptText,
	spanOfParams,
	spanProblem,
	toLocalInput
} from '../../../src/lib/state/time-range.js';

const NOW = 1_700_000_000_000;

describe('time ranges', () => {
	it('reads a span from the URL only when both ends make one', () => {
		expect(spanOfParams('1000', '2000')).toEqual({ from: 1000, to: 2000 });
		expect(spanOfParams('2000', '1000')).toBeNull();
		expect(spanOfParams('1000', '')).toBeNull();
		expect(spanOfParams('x', '2000')).toBeNull();
		expect(spanOfParams('1.5', '2000')).toBeNull();
	});

	it('states the history kept at the sample interval', () => {
		expect(keptText(1000)).toBe('15 min at 1 s, 6 h at 10 s');
		expect(keptText(250)).toBe('15 min at 250 ms, 6 h at 2.5 s');
	});

	it('refuses a span the agent cannot answer, saying why', () => {
		expect(spanProblem({ from: NOW - 60_000, to: NOW }, NOW)).toBeNull();
		expect(spanProblem(null, NOW)).toMatch(/start and an end/);
		expect(spanProblem({ from: NOW, to: NOW - 1 }, NOW)).toMatch(/after the start/);
		expect(spanProblem({ from: NOW - 7 * 3_600_000, to: NOW }, NOW)).toMatch(/At most 6 h/);
		expect(spanProblem({ from: NOW - 9 * 3_600_000, to: NOW - 8 * 3_600_000 }, NOW)).toMatch(
			/Older than the history kept/
		);
		expect(spanProblem({ from: NOW + 1000, to: NOW + 2000 }, NOW)).toMatch(/future/);
	});

	it('round-trips a time through a date-time field, to the second', () => {
		const t = NOW - (NOW % 1000);
		expect(fromLocalInput(toLocalInput(t))).toBe(t);
		expect(fromLocalInput('')).toBeNull();
	});
});
