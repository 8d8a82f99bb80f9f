/**
 * Connection state recovery across a cluster (issue #25): two nodes behind the Redis streams
 * adapter, which keeps sessions, with socket.io's recovery on. A client of node 2 loses its
 * transport and gets its session back; a dashboard on node 1, which asks node 2 for its rows,
 * rooms and namespaces, sees the same socket continuing: its id listed or counted as a room on
 * no node, one recovered session and one disconnect in the cluster's samples, its row keeping its
 * id and rooms.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import type {
	Page,
	RoomRow,
	Sample,
	Snapshot,
	SocketRow
} from '../../../server/protocol/models.js';
import { ask, once } from '../../support/agent-fixture.js';
import { describeWithRedis, startRedis, type RedisServer } from '../../support/redis.js';
import { stopCluster } from './nodes.js';
import { startNode, type Node } from './start-node.js';

describeWithRedis('a recovered session on a cluster (streams adapter)', () => {
	let redis: RedisServer;
	let nodes: Node[];
	const clients: ClientSocket[] = [];
	let dashboard: ClientSocket;
	let client: ClientSocket;
	let id: string;
	/** What the samples of `/` added up to, by node, as the dashboard on node 1 receives them. */
	const totals = new Map<string, { connects: number; disconnects: number; recovered: number }>();
	/** The nodes whose samples the dashboard has received. */
	const heardFrom = new Set<string>();

	beforeAll(async () => {
		redis = await startRedis();
		nodes = await Promise.all(
			['node-1', 'node-2'].map((nodeId) =>
				startNode(nodeId, redis.url, 'streams', { recovery: true })
			)
		);
		dashboard = connect(`http://127.0.0.1:${nodes[0].port}/sockscope`, {
			transports: ['websocket'],
			forceNew: true
		});
		dashboard.on('stats:sample', (s: Sample) => {
			heardFrom.add(s.nodeId);
			const main = s.namespaces.find((n) => n.name === '/');
			if (!main) return;
			const sum = totals.get(s.nodeId) ?? { connects: 0, disconnects: 0, recovered: 0 };
			sum.connects += main.connects;
			sum.disconnects += main.disconnects;
			sum.recovered += main.recovered;
			totals.set(s.nodeId, sum);
		});
		await once<Snapshot>(dashboard, 'state:snapshot');
		// Node 2's samples reach node 1's dashboard through the adapter: counted from its first
		// sample on, so that the one that counts the client's connection is not missed.
		while (!heardFrom.has('node-2')) await new Promise((resolve) => setTimeout(resolve, 50));

		// Reconnection on, without delay: the client comes back to node 2 as soon as its transport drops.
		client = connect(`http://127.0.0.1:${nodes[1].port}`, {
			transports: ['websocket'],
			forceNew: true,
			reconnectionDelay: 0,
			reconnectionDelayMax: 0,
			auth: { rooms: ['lobby'] }
		});
		clients.push(client);
		await once(client, 'connect');
		id = client.id!;
		// A client asks for its session back from the offset of the last broadcast it received.
		const news = once(client, 'news');
		await client.emitWithAck('broadcast', 'lobby');
		await news;

		const back = once(client, 'connect');
		client.io.engine.close();
		await back;
		expect(client.recovered).toBe(true);
		expect(client.id).toBe(id);
	}, 60_000);

	afterAll(() => stopCluster(clients, dashboard, nodes, redis));

	test("the cluster's samples count one recovered session and one disconnect, on node 2", async () => {
		await expect
			.poll(() => totals.get('node-2'), { timeout: 15_000 })
			.toEqual({ connects: 1, disconnects: 1, recovered: 1 });
		expect(totals.get('node-1') ?? { connects: 0, disconnects: 0, recovered: 0 }).toEqual({
			connects: 0,
			disconnects: 0,
			recovered: 0
		});
	});

	test("the socket's id is a room on no node, and no node counts it", async () => {
		const rooms = await ask<Page<RoomRow>>(dashboard, 'rooms:query', { namespace: '/' });
		expect(rooms.rows.map((row) => row.name)).toEqual(['lobby']);
		expect(rooms.rows[0].size).toBe(1);
		const { rows } = await ask<{ rows: { name: string; rooms: number; recovered: number }[] }>(
			dashboard,
			'namespaces:query'
		);
		expect(rows.find((n) => n.name === '/')).toMatchObject({ rooms: 1, recovered: 1 });
	});

	test('its row, asked of node 2 through node 1, keeps its id and rooms', async () => {
		const page = await ask<Page<SocketRow>>(dashboard, 'sockets:query', { namespace: '/' });
		expect(page.rows.map((row) => [row.id, row.nodeId, row.rooms])).toEqual([
			[id, 'node-2', ['lobby']]
		]);
	});
});
