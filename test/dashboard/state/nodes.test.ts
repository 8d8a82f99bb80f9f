import { describe, expect, it } from 'vitest';
import {
	DOWN_AFTER_MS as DOWN_MS,
	STALE_AFTER_MS as STALE_MS
} from '../../../server/protocol/vocabulary.js';
import {
	healthOf,
	missingFiguresOf,
	namespaceRatesOf,
	topEventsOf,
	topRoomsOf,
	totalsOf
} from '../../../src/lib/state/nodes.js';
import { namespace, sample } from '../fixtures.js';
import type { Sample } from '../../../server/protocol/models.js';

const NOW = 1_700_000_000_000;

describe('node figures', () => {
	it('marks a node stale after 3 s without a sample and down after 10 s', () => {
		const entry = (age: number) => ({ sample: sample('a', 0, []), receivedAt: NOW - age });
		expect(healthOf(entry(STALE_MS), NOW)).toBe('up');
		expect(healthOf(entry(STALE_MS + 1), NOW)).toBe('stale');
		expect(healthOf(entry(DOWN_MS + 1), NOW)).toBe('down');
	});

	it('sums the latest sample of every node that is not down', () => {
		const totals = totalsOf(
			[
				{
					sample: sample('a', NOW, [namespace('/chat', { sockets: 10, rooms: 2, eventsIn: 5 })]),
					receivedAt: NOW
				},
				{
					sample: sample('b', NOW, [
						namespace('/chat', { sockets: 4, rooms: 1 }),
						namespace('/news', { sockets: 1 })
					]),
					receivedAt: NOW - 5000
				},
				{
					sample: sample('c', NOW, [namespace('/chat', { sockets: 99 })]),
					receivedAt: NOW - DOWN_MS - 1
				}
			],
			NOW
		);
		expect(totals.sockets).toBe(15);
		expect(totals.rooms).toBe(3);
		expect(totals.eventsIn).toBe(5);
		expect(totals.namespaces.map((n) => [n.name, n.sockets])).toEqual([
			['/chat', 14],
			['/news', 1]
		]);
		expect([totals.nodesUp, totals.nodesKnown]).toEqual([2, 3]);
	});

	it('weights the RTT median by each node’s count and takes the worst p99', () => {
		const rtt = (p50: number, p99: number, count: number) => ({
			p50,
			p90: p99,
			p99,
			max: p99,
			count
		});
		const totals = totalsOf(
			[
				{ sample: sample('a', NOW, [], { rtt: rtt(10, 50, 3) }), receivedAt: NOW },
				{ sample: sample('b', NOW, [], { rtt: rtt(2, 20, 1) }), receivedAt: NOW },
				{ sample: sample('c', NOW, [], { rtt: rtt(0, 0, 0) }), receivedAt: NOW }
			],
			NOW
		);
		expect(totals.rttP50).toBe(8);
		expect(totals.rttP99).toBe(50);
	});

	it('ranks event names per second over recent samples, and rooms across nodes', () => {
		const ev = (name: string, n: number) => ({ name, in: n, out: 0 });
		const samples = [
			sample('a', NOW - 1000, [
				namespace('/chat', { topEvents: [ev('message', 10), ev('typing', 4)] })
			]),
			sample('a', NOW, [namespace('/chat', { topEvents: [ev('message', 20)] })])
		];
		expect(topEventsOf(samples, 5).map((e) => [e.name, e.value])).toEqual([
			['message', 15],
			['typing', 2]
		]);
		const rooms = topRoomsOf(
			[
				{
					sample: sample('a', NOW, [
						namespace('/chat', { topRooms: [{ name: 'lobby', size: 5 }] })
					]),
					receivedAt: NOW
				},
				{
					sample: sample('b', NOW, [
						namespace('/chat', {
							topRooms: [
								{ name: 'lobby', size: 2 },
								{ name: 'vip', size: 6 }
							]
						})
					]),
					receivedAt: NOW
				}
			],
			NOW,
			5
		);
		expect(rooms.map((r) => [r.name, r.value])).toEqual([
			['lobby', 7],
			['vip', 6]
		]);
	});

	it('averages each namespace’s traffic over the recent samples of every node', () => {
		const rates = namespaceRatesOf([
			sample('a', NOW - 1000, [namespace('/chat', { eventsIn: 10, bytesOut: 100 })]),
			sample('a', NOW, [namespace('/chat', { eventsIn: 30 })]),
			sample('b', NOW, [namespace('/chat', { eventsIn: 5 })], { interval: 500 })
		]);
		expect(rates.get('/chat')).toEqual({ eventsIn: 30, eventsOut: 0, bytesIn: 0, bytesOut: 50 });
	});
});

describe('rooms spanning nodes', () => {
	it("adds each node's share of a room other nodes list, once per node", () => {
		const rooms = topRoomsOf(
			[
				// Node a lists `big` only; its one member of `spread` comes as a share.
				{
					sample: sample('a', NOW, [
						namespace('/', {
							topRooms: [{ name: 'big', size: 5 }],
							sharedRooms: [{ name: 'spread', size: 1 }]
						})
					]),
					receivedAt: NOW
				},
				// Node b lists `spread` and (its list cut for this dashboard, or not) shares it too.
				{
					sample: sample('b', NOW, [
						namespace('/', {
							topRooms: [{ name: 'spread', size: 4 }],
							sharedRooms: [{ name: 'spread', size: 4 }]
						})
					]),
					receivedAt: NOW
				}
			],
			NOW,
			8
		);
		expect(rooms).toEqual([
			{ namespace: '/', name: 'big', value: 5 },
			{ namespace: '/', name: 'spread', value: 5 }
		]);
	});
});

describe('missing figures', () => {
	const at = (nodeId: string, age: number, cluster?: Sample['cluster']) =>
		[nodeId, { sample: { ...sample(nodeId, NOW, []), cluster }, receivedAt: NOW - age }] as const;

	it('names the nodes out of date or out of the totals, and says when the link is down', () => {
		const entries = new Map([
			at('a', 0, {
				adapter: 'RedisAdapter',
				nodes: 1,
				peers: [
					{ nodeId: 'b', state: 'stale' },
					{ nodeId: 'c', state: 'down' },
					// Known to the node, never heard of by this dashboard (it opened during the outage).
					{ nodeId: 'd', state: 'down' }
				],
				healthy: false
			}),
			at('b', STALE_MS + 1),
			at('c', DOWN_MS + 1),
			// Down so long that node a has forgotten it: gone for good, no longer news.
			at('gone', 10 * DOWN_MS)
		]);
		expect(missingFiguresOf(entries, 'a', NOW)).toEqual({
			nodes: [
				{ nodeId: 'b', state: 'stale' },
				{ nodeId: 'c', state: 'down' },
				{ nodeId: 'd', state: 'down' }
			],
			linkDown: true
		});
	});

	it('is empty while every node is heard from', () => {
		const entries = new Map([
			at('a', 0, {
				adapter: 'RedisAdapter',
				nodes: 2,
				peers: [{ nodeId: 'b', state: 'up' }],
				healthy: true
			}),
			at('b', 0)
		]);
		expect(missingFiguresOf(entries, 'a', NOW)).toEqual({ nodes: [], linkDown: false });
	});
});
