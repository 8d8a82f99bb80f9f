/** The history rings: columns per namespace, coarse buckets, and what a scoped principal may see. */
import { describe, expect, test } from 'vitest';
import { HistoryStore } from '../../../server/agent/history/history.js';
import type { NamespaceSample, Sample } from '../../../server/protocol/models.js';
import { emptyNamespaceSample } from '../../../server/protocol/samples.js';
import { TOP_NAMESPACES } from '../../../server/protocol/limits.js';
import { OTHER_NAMESPACES } from '../../../server/protocol/vocabulary.js';

function ns(name: string, sockets: number, websocket: number, eventsIn: number): NamespaceSample {
	return {
		...emptyNamespaceSample(name),
		sockets,
		transports: { websocket, polling: sockets - websocket, webtransport: 0 },
		connects: 1,
		eventsIn
	};
}

function sample(t: number, namespaces: NamespaceSample[]): Sample {
	const zero = { p50: 0, p90: 0, p99: 0, max: 0, count: 0 };
	return {
		nodeId: 'n',
		t,
		interval: 1000,
		namespaces,
		rtt: zero,
		process: {
			cpu: t / 1000,
			rss: 1,
			heapUsed: 1,
			heapTotal: 1,
			elu: 0,
			loopDelay: zero,
			uptime: 1
		},
		faults: 0
	};
}

describe('history', () => {
	const store = new HistoryStore('n', 1000);
	for (let i = 1; i <= 20; i++) store.add(sample(i * 1000, [ns('/a', 3, 2, i), ns('/b', 5, 5, 1)]));

	test('keeps one row a second, in columns per namespace', () => {
		const h = store.query('1m', () => true);
		expect(h.step).toBe(1000);
		expect(h.t).toHaveLength(20);
		expect(h.namespaces['/a'].eventsIn).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
		expect(h.node.websocket[0]).toBe(7);
		expect(h.node.polling[0]).toBe(1);
	});

	test('sums rates and keeps levels and the worst CPU in coarse buckets', () => {
		const h = store.query('1h', () => true);
		expect(h.step).toBe(10_000);
		expect(h.namespaces['/a'].eventsIn).toEqual([55, 155]);
		expect(h.namespaces['/a'].sockets).toEqual([3, 3]);
		expect(h.node.cpu).toEqual([10, 20]);
	});

	test('shows a scoped principal only its namespaces, transports included', () => {
		const h = store.query('1m', (name) => name === '/a');
		expect(Object.keys(h.namespaces)).toEqual(['/a']);
		expect(h.node.websocket[0]).toBe(2);
		expect(h.node.polling[0]).toBe(1);
	});
});

describe('a history of many namespaces', () => {
	// Five minutes of one sample a second, 1,000 namespaces with 1 to 1,000 sockets, each busy.
	const store = new HistoryStore('n', 1000);
	for (let i = 1; i <= 300; i++) {
		store.add(
			sample(
				i * 1000,
				Array.from({ length: 1000 }, (_, n) => ns(`/ws-${n}`, n + 1, n + 1, i))
			)
		);
	}

	test('carries the largest namespaces and the others in view summed, bounded whatever their number', () => {
		const h = store.query('5m', () => true);
		const names = Object.keys(h.namespaces);
		expect(names).toHaveLength(TOP_NAMESPACES + 1);
		expect(names).toContain('/ws-999');
		expect(names).toContain(OTHER_NAMESPACES);
		// Every socket is in a series: the named ones' and the rest's add up to all of them.
		const last = (s: number[]) => s.at(-1) ?? 0;
		const total = Object.values(h.namespaces).reduce((n, s) => n + last(s.sockets), 0);
		expect(total).toBe((1000 * 1001) / 2);
		expect(last(h.namespaces[OTHER_NAMESPACES].eventsIn)).toBe(1000 * 300 - TOP_NAMESPACES * 300);
	});

	test('a scoped principal gets its own, never the others summed', () => {
		// Among the 32 a row keeps (the rest of a row is one sum, which names no tenant), not the 10.
		const mine = new Set(['/ws-975', '/ws-980']);
		const h = store.query('5m', (name) => mine.has(name));
		expect(Object.keys(h.namespaces).sort()).toEqual(['/ws-975', '/ws-980']);
		expect(h.node.websocket.at(-1)).toBe(976 + 981);
	});

	test('an idle series goes empty', () => {
		const h = store.query('5m', () => true);
		expect(h.namespaces['/ws-999'].disconnects).toEqual([]);
		expect(h.namespaces['/ws-999'].sockets).toHaveLength(300);
	});
});
