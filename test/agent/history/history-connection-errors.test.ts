/** Refused and failed connections in the history: per code and bucket, for unscoped principals only. */
import { expect, test } from 'vitest';
import { HistoryStore } from '../../../server/agent/history/history.js';
import type { Sample } from '../../../server/protocol/models.js';
import { emptyNamespaceSample } from '../../../server/protocol/samples.js';

function sample(t: number, counts: Record<string, number>): Sample {
	const zero = { p50: 0, p90: 0, p99: 0, max: 0, count: 0 };
	const process = { cpu: 0, rss: 1, heapUsed: 1, heapTotal: 1, elu: 0, loopDelay: zero, uptime: 1 };
	return {
		nodeId: 'n',
		t,
		interval: 1000,
		namespaces: [emptyNamespaceSample('/a')],
		rtt: zero,
		process,
		faults: 0,
		connectionErrors: { counts, recent: [] }
	};
}

const store = new HistoryStore('n', 1000, 2);
store.add(sample(1000, {}));
store.add(sample(2000, { forbidden: 2 }));
store.add(sample(3000, { 'refused: no': 1, forbidden: 1 }));
store.add(sample(4000, {}));

test('fine buckets carry each code per second, aligned with the times', () => {
	const h = store.query('1m', () => true);
	expect(h.t).toEqual([1000, 2000, 3000, 4000]);
	expect(h.connectionErrors).toEqual({ forbidden: [0, 2, 1, 0], 'refused: no': [0, 0, 1, 0] });
});

test('coarse buckets sum them', () => {
	expect(store.query('1h', () => true).connectionErrors).toEqual({
		forbidden: [2, 1],
		'refused: no': [0, 1]
	});
});

test('a principal scoped to some namespaces gets none', () => {
	expect(store.query('1m', (ns) => ns === '/a').connectionErrors).toBeUndefined();
});
