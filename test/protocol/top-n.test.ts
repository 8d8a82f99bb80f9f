import { describe, expect, test } from 'vitest';
import { MAX_NAME_IN_SAMPLE } from '../../server/protocol/limits.js';
import { keepFirst, keepTop, truncateName, type Scored } from '../../server/protocol/top-n.js';
import { livenessOf, STALE_AFTER_MS, DOWN_AFTER_MS } from '../../server/protocol/vocabulary.js';

describe('keepTop', () => {
	test('keeps the largest scores of a stream, largest first, ties in arrival order', () => {
		const top: Scored<string>[] = [];
		const stream: [string, number][] = [
			['a', 3],
			['b', 9],
			['c', 0],
			['d', 5],
			['e', 9],
			['f', 1],
			['g', 5]
		];
		for (const [item, score] of stream) keepTop(top, item, score, 3);
		expect(top).toEqual([
			{ item: 'b', score: 9 },
			{ item: 'e', score: 9 },
			{ item: 'd', score: 5 }
		]);
	});

	test('leaves out what scored nothing', () => {
		const top: Scored<string>[] = [];
		keepTop(top, 'idle', 0, 5);
		keepTop(top, 'negative', -1, 5);
		expect(top).toEqual([]);
	});
});

describe('truncateName', () => {
	test('cuts long names to the sample limit, ending with an ellipsis', () => {
		expect(truncateName('short')).toBe('short');
		const exact = 'x'.repeat(MAX_NAME_IN_SAMPLE);
		expect(truncateName(exact)).toBe(exact);
		const cut = truncateName('y'.repeat(MAX_NAME_IN_SAMPLE + 1));
		expect(cut).toHaveLength(MAX_NAME_IN_SAMPLE);
		expect(cut.endsWith('…')).toBe(true);
	});
});

describe('livenessOf', () => {
	test('up, then stale, then down as a node stays silent', () => {
		expect(livenessOf(0)).toBe('up');
		expect(livenessOf(STALE_AFTER_MS)).toBe('up');
		expect(livenessOf(STALE_AFTER_MS + 1)).toBe('stale');
		expect(livenessOf(DOWN_AFTER_MS + 1)).toBe('down');
	});
});

/** A small deterministic stream of scores with many ties, as namespaces' socket counts have. */
function scores(seed: number, length: number): number[] {
	const out: number[] = [];
	let x = seed;
	for (let i = 0; i < length; i++) {
		x = (x * 1103515245 + 12345) % 2 ** 31;
		out.push((x >> 8) % 7);
	}
	return out;
}

describe('keepTop and keepFirst against a sort', () => {
	test('keep what a stable sort of the whole stream puts first, for lists of every length', () => {
		for (let seed = 1; seed <= 40; seed++) {
			const stream = scores(seed, 60).map((score, i) => ({ item: `n${i}`, score }));
			for (const limit of [1, 2, 5, 10, 32, 100]) {
				const top: Scored<string>[] = [];
				const first: { item: string; score: number }[] = [];
				for (const { item, score } of stream) {
					keepTop(top, item, score, limit);
					keepFirst(first, { item, score }, (a, b) => b.score - a.score, limit);
				}
				const sorted = [...stream].sort((a, b) => b.score - a.score);
				expect(first).toEqual(sorted.slice(0, limit));
				// keepTop leaves out what scored nothing.
				expect(top).toEqual(sorted.filter((s) => s.score > 0).slice(0, limit));
			}
		}
	});
});
