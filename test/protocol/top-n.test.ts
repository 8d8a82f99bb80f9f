import { describe, expect, test } from 'vitest';
import { MAX_NAME_IN_SAMPLE } from '../../server/protocol/limits.js';
import { keepTop, truncateName, type Scored } from '../../server/protocol/top-n.js';
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
