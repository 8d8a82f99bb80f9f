/**
 * The agent's traffic between the nodes of a real cluster (redis-adapter, real redis-server), read
 * off Redis itself. Samples: after a node's first frame, each is deflated against the one before and
 * is a fraction of the sample; a node that joins a running cluster asks each peer for a keyframe
 * instead of waiting for the next one, and its dashboard shows every peer. Query answers, which
 * Redis hands to every node: deflated when large, and still merged whole by the node that asked;
 * rooms as tuples rather than rows.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createClient } from 'redis';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import type {
	Page,
	RoomRow,
	Sample,
	Snapshot,
	SocketRow
} from '../../../server/protocol/models.js';
import { unpackAnswer } from '../../../server/agent/cluster/packed-answers.js';
import type { RoomTuples } from '../../../server/agent/cluster/room-answers.js';
import type { RelayFrame } from '../../../server/agent/cluster/sample-relay.js';
import { once } from '../../support/agent-fixture.js';
import { describeWithRedis, startRedis, type RedisServer } from '../../support/redis.js';
import { startNode, type Node } from './start-node.js';
import { stopCluster } from './nodes.js';

/** redis-adapter's channel for `serverSideEmit` on the agent's namespace: samples, queries and answers. */
const REQUESTS = 'socket.io-request#/sockscope#';

interface Seen {
	event: string;
	arg: RelayFrame & { n: string };
	bytes: number;
}

describeWithRedis('samples between nodes, on Redis', () => {
	let redis: RedisServer;
	let listener: ReturnType<typeof createClient>;
	let nodes: Node[] = [];
	let dashboard: ClientSocket | undefined;
	const seen: Seen[] = [];
	const answers: { nodeId: string; packed: boolean; bytes: number; reply: { z?: string } }[] = [];
	const clients: ClientSocket[] = [];
	const received = new Map<string, Sample>();

	beforeAll(async () => {
		redis = await startRedis();
		listener = createClient({ url: redis.url });
		await listener.connect();
		await listener.subscribe(REQUESTS, (message) => {
			const { data } = JSON.parse(message) as { data: [string, Seen['arg']] };
			seen.push({ event: data[0], arg: data[1], bytes: Buffer.byteLength(message) });
			// Each node's answer to a query is a server-side emit of its own, addressed to the asker.
			if (data[0] !== 'sockscope:reply') return;
			const reply = data[1] as unknown as { nodeId: string; z?: string };
			answers.push({
				nodeId: reply.nodeId,
				packed: 'z' in reply,
				bytes: Buffer.byteLength(message),
				reply
			});
		});
		nodes = await Promise.all(['node-1', 'node-2'].map((id) => startNode(id, redis.url, 'redis')));
	}, 60_000);

	afterAll(async () => {
		await listener?.quit().catch(() => {});
		await stopCluster(clients, dashboard, nodes, redis);
	});

	const frames = (from: string) =>
		seen.filter((s) => s.event === 'sockscope:frame' && s.arg.n === from);

	test('a node that joins asks each peer for a keyframe, and sees every peer', async () => {
		// Both nodes past their first (key)frame, so that the newcomer's first frames are deltas.
		await expect
			.poll(() => Math.min(frames('node-1').length, frames('node-2').length), { timeout: 15_000 })
			.toBeGreaterThanOrEqual(3);
		const joinedAt = seen.length;
		nodes.push(await startNode('node-3', redis.url, 'redis'));
		dashboard = connect(`http://127.0.0.1:${nodes[2].port}/sockscope`, {
			transports: ['websocket'],
			forceNew: true
		});
		dashboard.on('stats:sample', (s: Sample) => received.set(s.nodeId, s));
		await once<Snapshot>(dashboard, 'state:snapshot');
		await expect
			.poll(() => ['node-1', 'node-2', 'node-3'].every((id) => received.has(id)), {
				timeout: 15_000
			})
			.toBe(true);

		const after = seen.slice(joinedAt);
		for (const peer of ['node-1', 'node-2']) {
			const asked = after.findIndex((s) => s.event === 'sockscope:keyframe' && s.arg.n === peer);
			expect(asked, `node-3 asked ${peer} for a keyframe`).toBeGreaterThanOrEqual(0);
			const next = after
				.slice(asked)
				.find((s) => s.event === 'sockscope:frame' && s.arg.n === peer);
			expect(next?.arg.b, `${peer}'s next frame is a keyframe`).toBeUndefined();
		}
	}, 60_000);

	/**
	 * A node's answer as Redis carried it. The node that asked may have read it, merged it and
	 * answered the dashboard before this test's own subscriber is handed the same message: wait.
	 */
	async function answerOf(nodeId: string) {
		await expect.poll(() => answers.some((a) => a.nodeId === nodeId)).toBe(true);
		return answers.find((a) => a.nodeId === nodeId)!;
	}

	test("a frame after a node's first is a fraction of its sample", async () => {
		const deltas = frames('node-1').filter((s) => s.arg.b !== undefined);
		expect(deltas.length).toBeGreaterThan(0);
		const sampleBytes = Buffer.byteLength(JSON.stringify(received.get('node-1')));
		for (const d of deltas) expect(d.bytes).toBeLessThan(sampleBytes / 3);
	});

	test('a large answer travels deflated, and the node that asked merges it whole', async () => {
		const count = 80;
		for (let i = 0; i < count; i++) {
			const client = connect(`http://127.0.0.1:${nodes[1].port}`, {
				transports: ['websocket'],
				forceNew: true,
				auth: { rooms: [`room-${i}`] }
			});
			clients.push(client);
		}
		await Promise.all(clients.map((c) => c.connected || once(c, 'connect')));
		answers.length = 0;
		const answer = (await dashboard!.timeout(10_000).emitWithAck('sockets:query', {
			limit: 100
		})) as { data: Page<SocketRow> };
		expect(answer.data.rows.filter((r) => r.nodeId === 'node-2')).toHaveLength(count);
		expect(answer.data.missingNodes).toEqual([]);
		const fromNode2 = await answerOf('node-2');
		expect(fromNode2.packed).toBe(true);
		const rowsBytes = Buffer.byteLength(
			JSON.stringify(answer.data.rows.filter((r) => r.nodeId === 'node-2'))
		);
		expect(fromNode2.bytes).toBeLessThan(rowsBytes / 2);
	}, 60_000);

	test('rooms reach the node that asked as tuples, and merge into the same page', async () => {
		// The 80 sockets of the test before, each in a room of its own on node 2.
		answers.length = 0;
		const answer = (await dashboard!.timeout(10_000).emitWithAck('rooms:query', {
			text: 'room-',
			limit: 100
		})) as { data: Page<RoomRow> };
		const rooms = answer.data.rows.filter((r) => /^room-\d+$/.test(r.name));
		expect(rooms).toHaveLength(80);
		for (const r of rooms) expect(r).toMatchObject({ size: 1, nodes: { 'node-2': 1 } });

		const fromNode2 = await answerOf('node-2');
		const sent = (await unpackAnswer(fromNode2.reply)) as RoomTuples;
		expect(Array.isArray(sent)).toBe(false);
		expect(sent.node).toBe('node-2');
		expect(
			sent.rows.filter(([ns, name]) => sent.namespaces[ns] === '/' && name.startsWith('room-'))
		).toHaveLength(80);
		// As rows they would weigh about three times as much.
		expect(JSON.stringify(sent).length).toBeLessThan(JSON.stringify(rooms).length / 2);
	}, 60_000);
});
