import { describe, expect, test } from 'vitest';
import { Histogram } from '../../../server/agent/observe/rtt-histogram.js';

/** The values' percentiles as a fresh histogram reports them. */
function fresh(values: number[]) {
	const h = new Histogram();
	for (const v of values) h.add(v);
	return h.percentiles();
}

describe('Histogram', () => {
	test('reports each percentile as its bucket’s bound, at most 10% above the value', () => {
		const h = new Histogram();
		for (let ms = 1; ms <= 100; ms++) h.add(ms);
		const p = h.percentiles();
		expect(p.count).toBe(100);
		for (const [reported, value] of [
			[p.p50, 50],
			[p.p90, 90],
			[p.p99, 99]
		]) {
			expect(reported).toBeGreaterThanOrEqual(value);
			expect(reported).toBeLessThanOrEqual(value * 1.1 + 0.01);
		}
		// The largest value is never reported above the bound of the 99th percentile's bucket.
		expect(p.max).toBeLessThanOrEqual(p.p99);
		expect(p.max).toBeGreaterThanOrEqual(99);
	});

	test('after a reset it reads as a new one, whatever it held before', () => {
		const h = new Histogram();
		const before = [0.05, 3, 250, 40_000, 70_000];
		const after = [12, 12.5, 13, 900, 2];
		for (const v of before) h.add(v);
		h.reset();
		expect(h.percentiles()).toEqual({ p50: 0, p90: 0, p99: 0, max: 0, count: 0 });
		for (const v of after) h.add(v);
		expect(h.percentiles()).toEqual(fresh(after));
		// Values below and above what it held since the reset.
		h.reset();
		for (const v of [0.01, 65_000, 5]) h.add(v);
		expect(h.percentiles()).toEqual(fresh([0.01, 65_000, 5]));
	});

	test('adds another histogram’s values and removes values one by one', () => {
		const a = new Histogram();
		const b = new Histogram();
		for (const v of [30, 31, 32]) a.add(v);
		for (const v of [0.2, 5000]) b.add(v);
		a.addAll(b);
		expect(a.percentiles()).toEqual(fresh([30, 31, 32, 0.2, 5000]));
		a.remove(5000);
		a.remove(0.2);
		const p = a.percentiles();
		expect(p.count).toBe(3);
		expect([p.p50, p.p99]).toEqual([fresh([30, 31, 32]).p50, fresh([30, 31, 32]).p99]);
		a.reset();
		a.add(7);
		expect(a.percentiles()).toEqual(fresh([7]));
	});
});
