/**
 * A live sockets window across two nodes behind a real redis-server: the dashboard on node 1
 * watches once, and each node sends its own changes straight to it through the adapter.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import type { Snapshot, SocketRow } from '../../../server/protocol/models.js';
import { compareKeys, rowId, socketRowKey } from '../../../server/protocol/paging.js';
import type { WindowUpdate } from '../../../server/protocol/windows.js';
import { ask, once } from '../../support/agent-fixture.js';
import { describeWithRedis, startRedis, type RedisServer } from '../../support/redis.js';
import { connectClients, stopCluster } from './nodes.js';
import { readsOf, startNode, type Node } from './start-node.js';
import { READ_ONCE_QUERY } from '../../support/socket-reads.js';
import { createClient } from 'redis';

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
		for (const node of nodes) await connectClients(node, 3, clients);
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
		const goneId = onNode2.id;
		onNode2.disconnect();
		const shown = all.slice(1, 5).filter((id) => id !== goneId);
		await expect.poll(window, { timeout: 10_000 }).toEqual(shown);
		// The window runs short of the list: the page sends the same watch again, and the agent
		// moves its `until` so that the next row comes in.
		await ask(dashboard, 'sockets:watch', { watch: 1, query: { sort: 'id' }, after, limit: 4 });
		const left = ids();
		await expect.poll(window, { timeout: 10_000 }).toEqual(left.slice(1, 5));
		expect(parts.get('node-2')!.total).toBe(2);
	});

	test('a window holds its rows once over both nodes, and no node sends a change past its last row', async () => {
		for (const node of nodes) await connectClients(node, 6, clients);
		const seen: WindowUpdate[] = [];
		const held = new Map<string, Map<string, SocketRow>>();
		dashboard.on('sockets:window', (u: WindowUpdate) => {
			if (u.watch !== 2) return;
			seen.push(u);
			const part = u.reset ? new Map<string, SocketRow>() : (held.get(u.nodeId) ?? new Map());
			for (const id of u.gone) part.delete(id);
			for (const row of u.rows) part.set(rowId(row.namespace, row.id), row);
			held.set(u.nodeId, part);
		});
		const merged = () =>
			[...held.values()]
				.flatMap((p) => [...p.values()])
				.sort((a, b) => compareKeys(socketRowKey(a, 'id'), socketRowKey(b, 'id')));
		const query = { sort: 'id' as const };
		await ask(dashboard, 'sockets:watch', { watch: 2, query, limit: 6 });
		// The agent gives the window the key of its sixth row over both nodes as its `until`: the
		// nodes send six rows in all, not six each.
		const firstSix = () =>
			clients
				.filter((c) => c.connected)
				.map((c) => c.id!)
				.sort()
				.slice(0, 6);
		await expect.poll(() => merged().map((r) => r.id), { timeout: 10_000 }).toEqual(firstSix());
		expect(new Set(merged().map((r) => r.nodeId))).toEqual(new Set(['node-1', 'node-2']));

		// The window's last key, far enough down that both nodes have rows up to it.
		const rows = merged();
		const both = rows.findIndex((r, i) => rows.slice(0, i + 1).some((o) => o.nodeId !== r.nodeId));
		const cut = Math.max(3, both + 1);
		const inside = rows.slice(0, cut).map((r) => rowId(r.namespace, r.id));
		const until = socketRowKey(rows[cut - 1], 'id');
		await ask(dashboard, 'sockets:watch', { watch: 2, query, until, limit: 6 });
		await expect
			.poll(() => merged().map((r) => rowId(r.namespace, r.id)), { timeout: 10_000 })
			.toEqual(inside);

		// Every client sends an event: only the rows up to `until` change, on both nodes.
		const mark = seen.length;
		for (const c of clients) if (c.connected) c.emit('hello');
		const changed = () =>
			new Set(
				seen
					.slice(mark)
					.flatMap((u) => [
						...u.figures.map((f) => f[0]),
						...u.rows.map((r) => rowId(r.namespace, r.id))
					])
			);
		await expect.poll(() => [...changed()].sort(), { timeout: 10_000 }).toEqual([...inside].sort());
		expect(new Set(seen.slice(mark).map((u) => u.nodeId))).toEqual(new Set(['node-1', 'node-2']));
	});

	test("a new window reads each node's sockets once, and asks Redis how many nodes there are once", async () => {
		const redisClient = createClient({ url: redis.url });
		await redisClient.connect();
		// Each request that waits for every node's answer first asks Redis how many there are.
		const numsubs = async () => {
			const info = String(await redisClient.sendCommand(['INFO', 'commandstats']));
			return Number(/cmdstat_pubsub\|numsub:calls=(\d+)/.exec(info)?.[1] ?? 0);
		};
		const reset = new Set<string>();
		dashboard.on('sockets:window', (u: WindowUpdate) => {
			if (u.watch === 3 && u.reset) reset.add(u.nodeId);
		});
		try {
			// Node 2's socket that sorts last by id, never in the window: read once per scan.
			const before = await readsOf(nodes[1]);
			const last = Object.keys(before).sort().at(-1)!;
			const asked = await numsubs();
			await ask(dashboard, 'sockets:watch', { watch: 3, query: READ_ONCE_QUERY, limit: 4 });
			await expect.poll(() => reset.size, { timeout: 10_000 }).toBe(2);
			// Node 2 chose its rows while answering the window's keys, and sent them from that choice.
			expect((await readsOf(nodes[1]))[last] - before[last]).toBe(1);
			// The keys asked; the watch after them went as one message.
			expect((await numsubs()) - asked).toBe(1);
		} finally {
			await redisClient.quit();
		}
	});

	test('a slim window gets slim rows from both nodes', async () => {
		const rows: object[] = [];
		const from = new Set<string>();
		const onUpdate = (u: WindowUpdate) => {
			if (u.watch !== 4) return;
			from.add(u.nodeId);
			rows.push(...u.rows);
		};
		dashboard.on('sockets:window', onUpdate);
		try {
			const count = ids().length;
			await ask(dashboard, 'sockets:watch', {
				watch: 4,
				query: { sort: 'id' },
				limit: 100,
				slim: true
			});
			await expect.poll(() => rows.length, { timeout: 10_000 }).toBe(count);
			expect([...from].sort()).toEqual(['node-1', 'node-2']);
			for (const row of rows)
				expect(Object.keys(row).sort()).toEqual(
					['address', 'connectedAt', 'id', 'label', 'namespace', 'rtt', 'transport'].sort()
				);
		} finally {
			dashboard.off('sockets:window', onUpdate);
		}
	});
});
