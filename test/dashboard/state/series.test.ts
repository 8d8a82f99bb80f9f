import { describe, expect, it } from 'vitest';
import { SeriesStore, rowOfSample } from '../../../src/lib/state/series.js';
import { OTHER_NAMESPACES as OTHER_NAMESPACE } from '../../../server/protocol/vocabulary.js';
import { history, namespace, sample } from '../fixtures.js';

const T0 = 1_700_000_000_000;

describe('SeriesStore', () => {
	it('draws a history at once and continues it with live samples', () => {
		const store = SeriesStore.fromHistory([history('a', T0, [3, 4, 5], [3, 1, 1])], 300_000);
		store.addSample(sample('a', T0 + 3000, [namespace('/chat', { sockets: 6, connects: 1 })]));
		expect(store.points('sockets:/chat').map((p) => p.y)).toEqual([3, 4, 5, 6]);
		expect(store.points('connects').map((p) => p.y)).toEqual([3, 1, 1, 1]);
		expect(store.points('reason:transport close').map((p) => p.y)).toEqual([0, 2, 0, 0]);
		expect(store.latest).toBe(T0 + 3000);
	});

	it('sums the nodes of a cluster bucket by bucket', () => {
		const store = new SeriesStore(1000, 60_000);
		store.addSample(sample('a', T0, [namespace('/chat', { sockets: 10, eventsIn: 40 })]));
		store.addSample(sample('b', T0 + 180, [namespace('/chat', { sockets: 5, eventsIn: 2 })]));
		expect(store.points('sockets:/chat')).toEqual([{ x: T0, y: 15 }]);
		expect(store.points('eventsIn')).toEqual([{ x: T0, y: 42 }]);
	});

	it('turns counts into rates per second and keeps levels as they are', () => {
		const store = new SeriesStore(250, 60_000);
		store.addSample(
			sample('a', T0, [namespace('/chat', { sockets: 8, eventsOut: 5 })], { interval: 250 })
		);
		expect(store.points('eventsOut')[0].y).toBe(20);
		expect(store.points('sockets:/chat')[0].y).toBe(8);
	});

	it('keeps events in and out per namespace, summed over nodes, for the Namespaces page', () => {
		const store = new SeriesStore(1000, 60_000);
		store.addSample(
			sample('a', T0, [
				namespace('/chat', { eventsIn: 4, eventsOut: 8 }),
				namespace('/news', { eventsIn: 1 })
			])
		);
		store.addSample(sample('b', T0 + 100, [namespace('/chat', { eventsIn: 2 })]));
		expect(store.points('eventsIn:/chat')).toEqual([{ x: T0, y: 6 }]);
		expect(store.points('eventsOut:/chat')).toEqual([{ x: T0, y: 8 }]);
		expect(store.points('eventsIn:/news')).toEqual([{ x: T0, y: 1 }]);
		expect(store.points('eventsIn')).toEqual([{ x: T0, y: 7 }]);
	});

	it('folds live samples into coarse buckets: counts added, levels the latest', () => {
		const store = new SeriesStore(10_000, 3_600_000);
		for (let i = 0; i < 3; i++) {
			store.addSample(
				sample('a', T0 + 1000 + i * 1000, [namespace('/chat', { sockets: 10 + i, connects: 2 })])
			);
		}
		expect(store.size).toBe(1);
		expect(store.total('connects', -Infinity)).toBe(6);
		expect(store.points('sockets:/chat')[0].y).toBe(12);
	});

	it('bridges a bucket that timer drift skipped, so levels do not drop to zero', () => {
		const store = new SeriesStore(1000, 60_000);
		store.addSample(sample('a', T0, [namespace('/chat', { sockets: 7 })]));
		store.addSample(sample('b', T0, [namespace('/chat', { sockets: 3 })]));
		store.addSample(sample('b', T0 + 1000, [namespace('/chat', { sockets: 3 })]));
		store.addSample(sample('a', T0 + 2000, [namespace('/chat', { sockets: 7 })]));
		store.addSample(sample('b', T0 + 2000, [namespace('/chat', { sockets: 3 })]));
		expect(store.points('sockets:/chat').map((p) => p.y)).toEqual([10, 10, 10]);
	});

	it('keeps only its span, and totals over a recent window', () => {
		const store = new SeriesStore(1000, 5000);
		for (let i = 0; i < 10; i++)
			store.addSample(sample('a', T0 + i * 1000, [namespace('/chat', { connects: 1 })]));
		expect(store.size).toBe(6);
		expect(store.total('connects', T0 + 6500)).toBe(3);
	});

	it('names the namespaces and reasons it has seen', () => {
		const store = new SeriesStore(1000, 60_000);
		store.addSample(
			sample('a', T0, [namespace('/b'), namespace('/a', { reasons: { 'ping timeout': 1 } })], {
				otherNamespaces: namespace('3 more', { sockets: 9 })
			})
		);
		expect(store.keys('sockets:')).toEqual([OTHER_NAMESPACE, '/a', '/b']);
		expect(store.keys('reason:')).toEqual(['ping timeout']);
	});

	it('adds the transports of every namespace', () => {
		const row = rowOfSample(
			sample('a', T0, [
				namespace('/a', { transports: { websocket: 3, polling: 1, webtransport: 0 } }),
				namespace('/b', { transports: { websocket: 2, polling: 0, webtransport: 0 } })
			])
		);
		expect(row['transport:websocket']).toBe(5);
		expect(row['transport:polling']).toBe(1);
	});
});
