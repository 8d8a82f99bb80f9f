/**
 * The cluster's essentials on each official adapter (issue #28): `@socket.io/redis-adapter`
 * classic and sharded, `@socket.io/redis-streams-adapter`, and `@socket.io/postgres-adapter` on a
 * real PostgreSQL. Three nodes as processes; a dashboard on node 1 sees every node, queries across
 * them, kicks sockets on node 3 (each told why before it is disconnected, whatever order the
 * adapter delivers messages in), and when node 2 is killed, keeps the two live nodes' answers and
 * names only node 2. The whole suite (Servers page, Redis restart, …) runs on the two Redis
 * adapters in cluster.test.ts; this one holds what differs from one adapter to the next.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import type { Affected } from '../../../server/protocol/commands.js';
import type { Page, Sample, Snapshot, SocketRow } from '../../../server/protocol/models.js';
import { ask, once } from '../../support/agent-fixture.js';
import { answer, kickLog } from '../../support/dashboard-client.js';
import { describeWithRedis, startRedis } from '../../support/redis.js';
import { describeWithPostgres, startPostgres } from '../../support/postgres.js';
import { createAttachmentsTable } from '../../support/postgres-adapter.js';
import { connectClients, stopCluster } from './nodes.js';
import { startNode, type Node } from './start-node.js';
import { io as connect } from 'socket.io-client';

const IDS = ['node-1', 'node-2', 'node-3'];
const KINDS = ['redis', 'sharded', 'streams', 'postgres'] as const;
type Kind = (typeof KINDS)[number];

interface Store {
	url: string;
	stop(): Promise<void>;
	/** Stopped (every connection ended) and started again on the same port. */
	restart(): Promise<void>;
}

async function startStore(kind: Kind): Promise<Store> {
	if (kind !== 'postgres') return startRedis();
	const pg = await startPostgres();
	const url = `postgres://${pg.config.user}@${pg.config.host}:${pg.port}/${pg.config.database}`;
	await createAttachmentsTable(url);
	return { url, stop: () => pg.stop(), restart: () => pg.restart() };
}

function describeOn(kind: Kind, name: string, body: () => void): void {
	if (kind !== 'postgres') return describeWithRedis(name, body);
	describeWithPostgres(name, body);
}

/** A command's answer, waiting out the dashboard's rate limit as the dashboard does. */
async function command<T>(dashboard: ClientSocket, event: string, payload: unknown): Promise<T> {
	for (;;) {
		const ack = await answer<T>(dashboard, event, payload);
		if (!('error' in ack)) return ack.data;
		const { code, message, retryAfter } = ack.error as {
			code: string;
			message: string;
			retryAfter?: number;
		};
		if (code !== 'E_RATE_LIMITED') throw new Error(`${code}: ${message}`);
		await new Promise((resolve) => setTimeout(resolve, retryAfter ?? 200));
	}
}

for (const kind of KINDS) {
	describeOn(kind, `three nodes on the ${kind} adapter`, () => {
		let store: Store;
		let nodes: Node[];
		/** Two sockets on node 1, three on node 2, four on node 3, in that order. */
		const clients: ClientSocket[] = [];
		let dashboard: ClientSocket;
		const latest = new Map<string, Sample>();
		const sockets = (n: string) =>
			latest.get(n)?.namespaces.reduce((sum, ns) => sum + ns.sockets, 0);
		const live = () => clients.filter((c) => c.connected);

		beforeAll(async () => {
			store = await startStore(kind);
			nodes = await Promise.all(IDS.map((id) => startNode(id, store.url, kind)));
			for (const [i, node] of nodes.entries()) await connectClients(node, i + 2, clients);
			dashboard = connect(`http://127.0.0.1:${nodes[0].port}/sockscope`, {
				transports: ['websocket'],
				forceNew: true
			});
			dashboard.on('stats:sample', (s: Sample) => latest.set(s.nodeId, s));
			await once<Snapshot>(dashboard, 'state:snapshot');
		}, 60_000);

		afterAll(() => stopCluster(clients, dashboard, nodes, store));

		test('node 1 receives every node’s samples, with each node’s own sockets', async () => {
			await expect.poll(() => IDS.map(sockets), { timeout: 15_000 }).toEqual([2, 3, 4]);
		});

		test('a sockets query returns every node’s sockets, sorted across nodes', async () => {
			const page = await ask<Page<SocketRow>>(dashboard, 'sockets:query', {
				sort: 'id',
				limit: 100
			});
			expect(page.missingNodes).toEqual([]);
			expect(page.rows.map((r) => r.id)).toEqual(clients.map((c) => c.id).sort());
			const byNode = Object.fromEntries(
				IDS.map((id) => [id, page.rows.filter((r) => r.nodeId === id).length])
			);
			expect(byNode).toEqual({ 'node-1': 2, 'node-2': 3, 'node-3': 4 });
		});

		test('20 kicks from node 1 of sockets on node 3 each tell the reason before the disconnect', async () => {
			const onNode3: ClientSocket[] = [];
			await connectClients(nodes[2], 20, onNode3);
			const logs = onNode3.map(kickLog);
			// Side by side, as an operator clearing a room by hand would: each on the node that holds it.
			const results = await Promise.all(
				onNode3.map((c, i) =>
					command<Affected>(dashboard, 'socket:disconnect', {
						namespace: '/',
						id: c.id,
						reason: `kick ${i}`
					})
				)
			);
			expect(results).toEqual(onNode3.map(() => ({ sockets: 1, nodes: { 'node-3': 1 } })));
			await expect
				.poll(() => logs.filter((l) => l.length === 2).length, { timeout: 10_000 })
				.toBe(20);
			expect(logs).toEqual(onNode3.map((_, i) => [`kicked: kick ${i}`, 'io server disconnect']));
		}, 60_000);

		test('a move and a room-wide action are carried out by the nodes that hold the sockets', async () => {
			const onNode2 = clients[2];
			const moved = once<{ from: string | null; to: string | null }>(onNode2, 'sockscope:moved');
			const result = await command<Affected>(dashboard, 'socket:move', {
				namespace: '/',
				id: onNode2.id,
				from: 'x',
				to: 'moved'
			});
			expect(result).toEqual({ sockets: 1, nodes: { 'node-2': 1 } });
			expect(await moved).toEqual({ from: 'x', to: 'moved' });
			const page = await ask<Page<SocketRow>>(dashboard, 'sockets:query', { room: 'moved' });
			expect(page.rows.map((r) => [r.id, r.nodeId])).toEqual([[onNode2.id, 'node-2']]);

			// Every socket on every node, by its own id's room being a member of the namespace: a dry
			// run of a room-wide action counts each node's part; then an emit reaches each socket once.
			const received = new Map<string, number>();
			for (const c of live())
				c.on('matrix-hello', () => received.set(c.id!, (received.get(c.id!) ?? 0) + 1));
			const sent = await command<Affected>(dashboard, 'emit:send', {
				namespace: '/',
				event: 'matrix-hello',
				args: []
			});
			expect(sent).toEqual({ sockets: 9, nodes: { 'node-1': 2, 'node-2': 3, 'node-3': 4 } });
			await expect.poll(() => received.size).toBe(9);
			await ask(dashboard, 'sockets:query', {});
			expect([...received.values()].every((n) => n === 1)).toBe(true);
		});

		test('a killed node: a query within the next second keeps both live nodes’ sockets and names only the dead one', async () => {
			const dead = nodes[1];
			const liveIds = [...clients.slice(0, 2), ...clients.slice(5)].map((c) => c.id).sort();
			dead.child.kill('SIGKILL');
			await new Promise((resolve) => dead.child.once('exit', resolve));
			const page = await ask<Page<SocketRow>>(dashboard, 'sockets:query', {
				sort: 'id',
				limit: 100
			});
			expect(page.missingNodes).toEqual(['node-2']);
			expect(page.rows.map((r) => r.id)).toEqual(liveIds);
			expect(page.total).toBe(6);
			// And a command meanwhile acts where its socket lives, untroubled by the dead node.
			const target = clients[6];
			const log = kickLog(target);
			const kicked = await command<Affected>(dashboard, 'socket:disconnect', {
				namespace: '/',
				id: target.id,
				reason: 'after the kill'
			});
			expect(kicked).toMatchObject({ sockets: 1, nodes: { 'node-3': 1 } });
			await expect.poll(() => log).toEqual(['kicked: after the kill', 'io server disconnect']);
		}, 30_000);

		test('the store restarting ends no node, and samples flow again by themselves', async () => {
			const exits: string[] = [];
			for (const n of [nodes[0], nodes[2]])
				n.child.on('exit', (code, signal) => exits.push(`${n.id}: ${code ?? signal}`));
			await store.restart();
			const after = Date.now();
			// Node 1's dashboard hears node 3 again: through the adapter, reconnected to the new store.
			await expect
				.poll(() => exits.length > 0 || (latest.get('node-3')?.t ?? 0) > after + 1000, {
					timeout: 30_000,
					interval: 250
				})
				.toBe(true);
			expect(exits).toEqual([]);
			const page = await ask<Page<SocketRow>>(dashboard, 'sockets:query', {
				sort: 'id',
				limit: 100
			});
			expect(page.rows.filter((r) => r.nodeId === 'node-3')).toHaveLength(3);
		}, 60_000);
	});
}
