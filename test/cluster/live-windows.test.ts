/**
 * A live sockets window across two nodes behind a real redis-server: the dashboard on node 1
 * watches once, and each node sends its own changes straight to it through the adapter.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import type { Snapshot, SocketRow } from '../../server/protocol/models.js';
import { compareKeys, rowId } from '../../server/protocol/paging.js';
import type { WindowUpdate } from '../../server/protocol/windows.js';
import { ask, once } from '../support/agent-fixture.js';
import { describeWithRedis, startRedis, type RedisServer } from '../support/redis.js';
import { stopCluster } from './nodes.js';
import { startNode, type Node } from './start-node.js';

describeWithRedis('a live sockets window on a cluster of two nodes', () => {
	let redis: RedisServer;
	let nodes: Node[];
	const clients: ClientSocket[] = [];
	let dashboard: ClientSocket;
	/** Each node's part of the window, as the page keeps them. */
	const parts = new Map<string, { rows: Map<string, SocketRow>; before: number; total: number }>();

	beforeAll(async () => {
		redis = await startRedis();
		nodes = await Promise.all(['node-1', 'node-2'].map((id) => startNode(id, redis.url, 'redis')));
		for (const node of nodes) {
			for (let k = 0; k < 3; k++) {
				const socket = connect(`http://127.0.0.1:${node.port}`, {
					transports: ['websocket'],
					forceNew: true,
					reconnection: false
				});
				clients.push(socket);
				await once(socket, 'connect');
			}
		}
		dashboard = connect(`http://127.0.0.1:${nodes[0].port}/sockscope`, {
			transports: ['websocket'],
			forceNew: true
		});
		dashboard.on('sockets:window', (u: WindowUpdate) => {
			if (u.watch !== 1) return;
			const part =
				u.reset || !parts.has(u.nodeId)
					? { rows: new Map(), before: 0, total: 0 }
					: parts.get(u.nodeId)!;
			for (const id of u.gone) part.rows.delete(id);
			for (const row of u.rows) part.rows.set(rowId(row.namespace, row.id), row);
			part.before = u.before;
			part.total = u.total;
			parts.set(u.nodeId, part);
		});
		await once<Snapshot>(dashboard, 'state:snapshot');
	}, 60_000);

	afterAll(() => stopCluster(clients, dashboard, nodes, redis));

	/** The window as the page shows it: every node's rows in order, the first four. */
	const window = () =>
		[...parts.values()]
			.flatMap((p) => [...p.rows.values()])
			.sort((a, b) =>
				compareKeys([a.id, rowId(a.namespace, a.id)], [b.id, rowId(b.namespace, b.id)])
			)
			.slice(0, 4)
			.map((r) => r.id);
	const ids = () =>
		clients
			.filter((c) => c.connected)
			.map((c) => c.id!)
			.sort();

	test('merges both nodes into one window and follows a disconnect on the other node', async () => {
		const all = ids();
		const after = [all[0], `/#${all[0]}`];
		await ask(dashboard, 'sockets:watch', { watch: 1, query: { sort: 'id' }, after, limit: 4 });
		await expect.poll(window, { timeout: 10_000 }).toEqual(all.slice(1, 5));
		expect([...parts.keys()].sort()).toEqual(['node-1', 'node-2']);
		expect([...parts.values()].reduce((n, p) => n + p.total, 0)).toBe(6);
		expect([...parts.values()].reduce((n, p) => n + p.before, 0)).toBe(1);

		// A socket of node 2 inside the window leaves: node 2 says so, and the next row moves in.
		const onNode2 = clients.slice(3).find((c) => all.slice(1, 5).includes(c.id!))!;
		onNode2.disconnect();
		const left = ids();
		await expect.poll(window, { timeout: 10_000 }).toEqual(left.slice(1, 5));
		expect(parts.get('node-2')!.total).toBe(2);
	});
});
