/**
 * The codec of samples between nodes (sample-relay.ts): each frame deflated against the one before,
 * a receiver that lacks that one told so, and frames that are not samples refused.
 */
import { deflateRawSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import type { Sample } from '../../../server/protocol/models.js';
import {
	KEYFRAME_EVERY,
	createRelayDecoder,
	createRelayEncoder
} from '../../../server/agent/cluster/sample-relay.js';

function sample(nodeId: string, t: number, eventsIn = 10): Sample {
	return {
		nodeId,
		t,
		interval: 1000,
		namespaces: ['/', '/chat', '/tenant-a', '/tenant-b'].map((name) => ({
			name,
			sockets: 500,
			rooms: 40,
			transports: { websocket: 500, polling: 0, webtransport: 0 },
			connects: 1,
			refused: 0,
			disconnects: 1,
			recovered: 0,
			reasons: { 'transport close': 1 },
			eventsIn,
			eventsOut: eventsIn * 20,
			bytesIn: eventsIn * 30,
			bytesOut: eventsIn * 600,
			broadcasts: eventsIn,
			broadcastRecipients: eventsIn * 20,
			joins: 1,
			leaves: 1,
			topEvents: ['message', 'typing', 'typing:update', 'presence', 'room:list'].map((e, i) => ({
				name: e,
				in: eventsIn + i,
				out: eventsIn * 3 + i,
				bytesIn: 100 + i,
				bytesOut: 900 + i
			})),
			topRooms: ['lobby', 'general', 'random', 'support', 'dev'].map((r, i) => ({
				name: r,
				size: 100 - i
			}))
		})),
		rtt: { p50: 2, p90: 4, p99: 9, max: 12, count: 2000 },
		process: { cpu: 0.2, rss: 1e8, heapUsed: 5e7, heapTotal: 7e7, eventLoopLag: 1.2 },
		faults: 0,
		cluster: {
			adapter: 'RedisAdapter',
			nodes: 10,
			healthy: true,
			peers: Array.from({ length: 9 }, (_, i) => ({
				nodeId: `node-${i}`,
				state: 'up'
			}))
		}
	} as unknown as Sample;
}

describe('samples between nodes', () => {
	test('a frame after the first is a fraction of the sample, and reads back whole', () => {
		const encoder = createRelayEncoder('node-1');
		const decoder = createRelayDecoder();
		const first = encoder.encode(sample('node-1', 1000));
		expect(first.b).toBeUndefined();
		expect(decoder.decode(first)).toHaveProperty('sample.t', 1000);
		const next = sample('node-1', 2000, 11);
		const frame = encoder.encode(next);
		expect(frame.b).toBe(first.s);
		const json = JSON.stringify(next);
		expect(frame.d.length).toBeLessThan(json.length / 10);
		const decoded = decoder.decode(frame);
		expect(decoded).toHaveProperty('sample.namespaces.3.topEvents.4.in', 15);
		expect(decoded).toHaveProperty('sample.t', 2000);
	});

	test("a node's list of its peers stays home; the rest of its cluster health travels", () => {
		const frame = createRelayEncoder('node-1').encode(sample('node-1', 1000));
		const decoded = createRelayDecoder().decode(frame) as { sample: Sample };
		expect(decoded.sample.cluster).toEqual({
			adapter: 'RedisAdapter',
			nodes: 10,
			healthy: true,
			peers: []
		});
	});

	test('a receiver without the frame a frame was deflated against asks, and reads the keyframe', () => {
		const encoder = createRelayEncoder('node-1');
		const early = createRelayDecoder();
		early.decode(encoder.encode(sample('node-1', 1000)));
		const late = createRelayDecoder();
		const delta = encoder.encode(sample('node-1', 2000));
		expect(late.decode(delta)).toEqual({ missing: true });
		expect(early.decode(delta)).toHaveProperty('sample.t', 2000);

		encoder.sendKeyframe();
		const keyframe = encoder.encode(sample('node-1', 3000));
		expect(keyframe.b).toBeUndefined();
		expect(late.decode(keyframe)).toHaveProperty('sample.t', 3000);
		expect(early.decode(keyframe)).toHaveProperty('sample.t', 3000);
		expect(late.decode(encoder.encode(sample('node-1', 4000)))).toHaveProperty('sample.t', 4000);
	});

	test('a receiver that lost a frame asks again instead of reading a wrong sample', () => {
		const encoder = createRelayEncoder('node-1');
		const decoder = createRelayDecoder();
		decoder.decode(encoder.encode(sample('node-1', 1000)));
		encoder.encode(sample('node-1', 2000)); // lost on the way
		expect(decoder.decode(encoder.encode(sample('node-1', 3000)))).toEqual({ missing: true });
	});

	test(`a keyframe every ${KEYFRAME_EVERY} frames without being asked`, () => {
		const encoder = createRelayEncoder('node-1');
		const keyframes = Array.from({ length: KEYFRAME_EVERY * 2 }, (_, i) =>
			encoder.encode(sample('node-1', i * 1000))
		).filter((f) => f.b === undefined);
		expect(keyframes).toHaveLength(2);
	});

	test('frames that are not samples are refused', () => {
		const decoder = createRelayDecoder();
		expect(() => decoder.decode({ n: 'x' } as never)).toThrow(/not a sample frame/);
		expect(() => decoder.decode({ n: 'x', s: 1, d: 'not deflate' })).toThrow();
		const other = createRelayEncoder('node-2').encode(sample('node-2', 1000));
		expect(() => decoder.decode({ ...other, n: 'node-3' })).toThrow(/another node/);
		// 64 MB of zeros deflate to a few kilobytes: refused before it fills the heap.
		const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024)).toString('base64');
		expect(() => decoder.decode({ n: 'x', s: 1, d: bomb })).toThrow();
	});
});
