/**
 * The Sockets page's window (src/lib/state/socket-window.svelte.ts) on a real two-node cluster,
 * driven as the page drives it: it holds the window's rows once over both nodes, and when new
 * sockets crowd into it (newest first) it is fitted again, so that the nodes stop sending the
 * changes of rows pushed out of it.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import type { Snapshot } from '../../../server/protocol/models.js';
import type { WindowUpdate } from '../../../server/protocol/windows.js';
import { SocketWindow, WindowFeed } from '../../../src/lib/state/socket-window.svelte.js';
import { once } from '../../support/agent-fixture.js';
import { queriesOver } from '../../support/dashboard-client.js';
import { describeWithRedis, startRedis, type RedisServer } from '../../support/redis.js';
import { connectClients, stopCluster } from './nodes.js';
import { startNode, type Node } from './start-node.js';

describeWithRedis("the Sockets page's window on a cluster of two nodes", () => {
	let redis: RedisServer;
	let nodes: Node[];
	const clients: ClientSocket[] = [];
	let dashboard: ClientSocket;
	const updates: WindowUpdate[] = [];
	let window: SocketWindow;

	const join = (node: Node, count: number) => connectClients(node, count, clients);

	beforeAll(async () => {
		redis = await startRedis();
		nodes = await Promise.all(['node-1', 'node-2'].map((id) => startNode(id, redis.url, 'redis')));
		for (const node of nodes) await join(node, 70);
		dashboard = connect(`http://127.0.0.1:${nodes[0].port}/sockscope`, {
			transports: ['websocket'],
			forceNew: true
		});
		await once<Snapshot>(dashboard, 'state:snapshot');
	}, 60_000);

	afterAll(async () => {
		window?.dispose();
		await stopCluster(clients, dashboard, nodes, redis);
	});

	/** The rows the nodes hold in the window, by node, as their updates say. */
	const held = new Map<string, Set<string>>();
	const heldIds = () => [...held.values()].flatMap((ids) => [...ids]).sort();

	test('holds the window once over both nodes, and is fitted again when sockets crowd in', async () => {
		const feed = new WindowFeed();
		dashboard.on('sockets:window', (u: WindowUpdate) => {
			const ids = u.reset ? new Set<string>() : (held.get(u.nodeId) ?? new Set<string>());
			for (const id of u.gone) ids.delete(id);
			for (const row of u.rows) ids.add(`${row.namespace}#${row.id}`);
			held.set(u.nodeId, ids);
			feed.push(u);
		});
		// The dashboard's requests as the native connector makes them: refusals and a late answer
		// as `RequestError`s, which the window tells apart: a fit refused for a passing reason is
		// asked again. Beside a second suite the nodes once went on holding 150 rows for more than
		// 15 s, the fit refused or late.
		const api = queriesOver(dashboard);
		window = new SocketWindow(api, feed);
		await window.start({ sort: 'connectedAt', order: 'desc' });
		window.visible(0, 10);
		await expect.poll(() => window.total, { timeout: 60_000 }).toBe(140);
		const shown = () => window.rows.map((r) => `${r.namespace}#${r.id}`).sort();
		const limit = window.rows.length;
		expect(limit).toBeLessThan(140);
		// Both nodes have rows in the window, and hold only those: `limit` rows in all.
		await expect.poll(heldIds, { timeout: 60_000 }).toEqual(shown());
		expect(held.get('node-1')?.size).toBeGreaterThan(0);
		expect(held.get('node-2')?.size).toBeGreaterThan(0);

		// Newer sockets sort first: they crowd into the window on both nodes, pushing older rows
		// out of it. Fitted again, the nodes let those go and hold the window's rows once more.
		for (const node of nodes) await join(node, 30);
		await expect.poll(() => window.total, { timeout: 60_000 }).toBe(200);
		await expect.poll(heldIds, { timeout: 60_000 }).toEqual(shown());
		expect(heldIds()).toHaveLength(limit);
		const newest = clients.slice(140).map((c) => `/#${c.id}`);
		for (const id of newest) expect(shown()).toContain(id);
	}, 240_000);
});
