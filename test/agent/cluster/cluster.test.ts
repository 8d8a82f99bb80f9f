/**
 * Three nodes as separate processes behind a real redis-server: one dashboard on node 1 sees and
 * acts on the whole cluster, notices a dead node, and recovers when Redis comes back.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import type { Page, RoomHistory, Sample, Snapshot, SocketRow } from '../../../server/protocol/models.js';
import { ask, once } from '../../support/agent-fixture.js';
import { describeWithRedis, startRedis, type RedisServer } from '../../support/redis.js';
import { stopCluster } from './nodes.js';
import { describeBrowser, launchBrowser, openPage } from '../../support/browser.js';
import { startNode, type Node } from './start-node.js';

for (const kind of ['redis', 'streams'] as const) {
	describeWithRedis(`a cluster of three nodes (${kind} adapter)`, () => {
		let redis: RedisServer;
		let nodes: Node[];
		const clients: ClientSocket[] = [];
		let dashboard: ClientSocket;
		/** The latest sample of each node, as the dashboard on node 1 receives them. */
		const latest = new Map<string, Sample>();

		async function client(node: Node, rooms: string[]) {
			const socket = connect(`http://127.0.0.1:${node.port}`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { rooms } });
			clients.push(socket);
			await once(socket, 'connect');
			return socket;
		}
		const sockets = (n: string) => latest.get(n)?.namespaces.reduce((sum, ns) => sum + ns.sockets, 0);

		beforeAll(async () => {
			redis = await startRedis();
			nodes = await Promise.all(['node-1', 'node-2', 'node-3'].map((id) => startNode(id, redis.url, kind)));
			// Two, three and four sockets; everyone in `everyone`, and a room per node.
			for (const [i, node] of nodes.entries()) {
				for (let k = 0; k <= i + 1; k++) await client(node, ['everyone', `room-${node.id}`]);
			}
			dashboard = connect(`http://127.0.0.1:${nodes[0].port}/sockscope`, { transports: ['websocket'], forceNew: true });
			dashboard.on('stats:sample', (s: Sample) => latest.set(s.nodeId, s));
			await once<Snapshot>(dashboard, 'state:snapshot');
		}, 60_000);

		afterAll(() => stopCluster(clients, dashboard, nodes, redis));

		test('a dashboard on node 1 sees the exact total and per-node counts', async () => {
			await expect
				.poll(() => ['node-1', 'node-2', 'node-3'].map(sockets), { timeout: 10_000 })
				.toEqual([2, 3, 4]);
			const { snapshot } = await resync();
			expect(snapshot.samples.map((s) => s.nodeId).sort()).toEqual(['node-1', 'node-2', 'node-3']);
			expect(snapshot.namespaces.find((n) => n.name === '/')?.sockets).toBe(9);
			expect(snapshot.history.map((h) => h.nodeId).sort()).toEqual(['node-1', 'node-2', 'node-3']);
		});

		test("a room's membership history is summed over the nodes", async () => {
			const sizes = async () =>
				(await ask<RoomHistory>(dashboard, 'room:history', { namespace: '/', room: 'everyone', range: '1m' })).size.filter((s) => s !== null);
			// Two, three and four members on the three nodes: nine at each bucket once all are counted.
			await expect.poll(async () => (await sizes()).at(-1), { timeout: 10_000 }).toBe(9);
			expect(Math.max(...(await sizes()))).toBe(9);
		});

		async function resync() {
			return { snapshot: await ask<Snapshot>(dashboard, 'state:resync') };
		}

		test('a sockets query sorted and paged across nodes returns the right rows in order', async () => {
			const pages: Page<SocketRow>[] = [];
			let cursor: string | undefined;
			do {
				const page: Page<SocketRow> = await ask(dashboard, 'sockets:query', { sort: 'id', limit: 4, cursor });
				pages.push(page);
				cursor = page.nextCursor ?? undefined;
			} while (cursor);
			const ids = pages.flatMap((p) => p.rows.map((r) => r.id));
			expect(pages.map((p) => p.rows.length)).toEqual([4, 4, 1]);
			expect(pages[0].total).toBe(9);
			expect(ids).toEqual(clients.map((c) => c.id).sort());
			const byNode = pages.flatMap((p) => p.rows).reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.nodeId]: (acc[r.nodeId] ?? 0) + 1 }), {});
			expect(byNode).toEqual({ 'node-1': 2, 'node-2': 3, 'node-3': 4 });
			const rooms = await ask<Page<{ name: string; size: number; nodes: Record<string, number> }>>(dashboard, 'rooms:query', { text: 'everyone' });
			expect(rooms.rows).toEqual([
				expect.objectContaining({ name: 'everyone', size: 9, nodes: { 'node-1': 2, 'node-2': 3, 'node-3': 4 } })
			]);
		});

		test('commands from node 1 act on sockets wherever they live', async () => {
			// Kick a socket living on node 3: that real client disconnects, told why first.
			const onNode3 = clients[5];
			const kicked = once(onNode3, 'sockscope:kicked');
			const gone = once<string>(onNode3, 'disconnect');
			await ask(dashboard, 'socket:disconnect', { namespace: '/', id: onNode3.id, reason: 'cluster test' });
			expect(await kicked).toEqual({ reason: 'cluster test' });
			expect(await gone).toBe('io server disconnect');

			// Move a socket living on node 2 between rooms.
			const onNode2 = clients[2];
			await ask(dashboard, 'socket:move', { namespace: '/', id: onNode2.id, from: 'room-node-2', to: 'moved' });
			await expect
				.poll(async () => (await ask<Page<SocketRow>>(dashboard, 'sockets:query', { room: 'moved' })).rows.map((r) => [r.id, r.nodeId, r.rooms.sort()]))
				.toEqual([[onNode2.id, 'node-2', ['everyone', 'moved']]]);

			// Emit to a room whose members are on all three nodes: each gets it once.
			const received = new Map<string, number>();
			const live = clients.filter((c) => c.connected);
			for (const c of live) c.on('cluster-hello', () => received.set(c.id!, (received.get(c.id!) ?? 0) + 1));
			const affected = await ask<{ sockets: number }>(dashboard, 'emit:send', { namespace: '/', room: 'everyone', event: 'cluster-hello', args: [1] });
			expect(affected.sockets).toBe(8);
			await expect.poll(() => received.size).toBe(8);
			// A round-trip through every node after the emit: nothing arrives twice meanwhile.
			await ask(dashboard, 'sockets:query', {});
			expect([...received.values()].every((n) => n === 1)).toBe(true);
		});

		describeBrowser('the Servers page', () => {
			test('shows every node, the adapter in use and its health', async () => {
				const browser = await launchBrowser();
				try {
					const { page } = await openPage(browser, `http://127.0.0.1:${nodes[0].port}/sockscope/#/servers`);
					await expect.poll(() => page.getByTestId('server-row').count(), { timeout: 15_000 }).toBe(3);
					const adapters = await page.getByTestId('server-adapter').allTextContents();
					const expected = kind === 'streams' ? 'RedisStreamsAdapter' : 'RedisAdapter';
					expect(adapters.every((a) => a.includes(expected) && a.includes('3 nodes'))).toBe(true);

					// The page's figures follow each node's samples, which after the first arrive as patches.
					const shown = async () =>
						Object.fromEntries(
							await page.getByTestId('server-row').evaluateAll((rows) =>
								rows.map((r) => [
									(r as HTMLTableRowElement).cells[0].textContent!.replace('(this)', '').trim(),
									(r as HTMLTableRowElement).cells[4].textContent!.trim()
								])
							)
						) as Record<string, string>;
					const before = sockets('node-3')!;
					await expect.poll(async () => (await shown())['node-3'], { timeout: 10_000 }).toBe(String(before));
					const extra = [await client(nodes[2], ['everyone']), await client(nodes[2], ['everyone'])];
					await expect.poll(() => sockets('node-3'), { timeout: 10_000 }).toBe(before + 2);
					await expect.poll(async () => (await shown())['node-3'], { timeout: 10_000 }).toBe(String(before + 2));
					// Gone again, so that the tests after this one count what they did before it.
					for (const c of extra) c.disconnect();
					await expect.poll(async () => (await shown())['node-3'], { timeout: 10_000 }).toBe(String(before));
				} finally {
					await browser.close();
				}
			}, 30_000);
		});

		describeBrowser('the Overview’s largest rooms', () => {
			test('show a room with members on all three nodes at its full size', async () => {
				// Node 1's own five largest rooms are all larger there than its one member of `spread`,
				// so only nodes 2 and 3 list `spread`; node 1 reports its share of it all the same.
				const before = ['node-1', 'node-2', 'node-3'].map(sockets);
				const big = ['big-1', 'big-2', 'big-3', 'big-4', 'big-5'];
				const extra = [
					await client(nodes[0], big),
					await client(nodes[0], big),
					await client(nodes[0], ['spread']),
					await client(nodes[1], ['spread']),
					await client(nodes[2], ['spread'])
				];
				const browser = await launchBrowser();
				try {
					const { page } = await openPage(browser, `http://127.0.0.1:${nodes[0].port}/sockscope/#/`);
					const label = () => page.locator('[aria-label^="Largest rooms by members"]').getAttribute('aria-label');
					await expect.poll(label, { timeout: 15_000 }).toContain('spread 3');
					expect(latest.get('node-1')?.namespaces.find((n) => n.name === '/')?.topRooms.map((r) => r.name)).not.toContain('spread');
				} finally {
					await browser.close();
					// Gone again, so that the tests after this one count what they did before it.
					for (const c of extra) c.disconnect();
					await expect.poll(() => ['node-1', 'node-2', 'node-3'].map(sockets), { timeout: 10_000 }).toEqual(before);
				}
			}, 60_000);
		});

		test('a killed node is marked down within 10 s and leaves the totals', async () => {
			nodes[1].child.kill('SIGKILL');
			await expect
				.poll(() => latest.get('node-1')?.cluster?.peers.find((p) => p.nodeId === 'node-2')?.state, { timeout: 15_000, interval: 250 })
				.toBe('down');
			const { snapshot } = await resync();
			expect(snapshot.samples.map((s) => s.nodeId).sort()).toEqual(['node-1', 'node-3']);
			const page = await ask<Page<SocketRow>>(dashboard, 'sockets:query', {});
			// Two on node 1 and four on node 3, less the one kicked above.
			expect(page.total).toBe(5);
		}, 30_000);

		test('samples flow again after Redis restarts, without restarting any node', async () => {
			await redis.stop();
			await expect.poll(() => latest.get('node-1')?.cluster?.healthy, { timeout: 10_000 }).toBe(false);
			const before = latest.get('node-3')?.t ?? 0;
			await redis.restart();
			await expect.poll(() => (latest.get('node-3')?.t ?? 0) > before, { timeout: 20_000 }).toBe(true);
			await expect.poll(() => latest.get('node-1')?.cluster?.healthy, { timeout: 10_000 }).toBe(true);
		}, 60_000);

		describeBrowser('the Overview during an outage', () => {
			test('names the nodes whose figures are missing while Redis is down, and counts them again after', async () => {
				const browser = await launchBrowser();
				try {
					const { page } = await openPage(browser, `http://127.0.0.1:${nodes[0].port}/sockscope/#/`);
					const total = () => String((sockets('node-1') ?? 0) + (sockets('node-3') ?? 0));
					const shown = () => page.getByTestId('tile-sockets-value').textContent();
					await expect.poll(shown, { timeout: 15_000 }).toBe(total());
					const missing = async () => (await page.getByTestId('missing-figures').textContent({ timeout: 1000 }).catch(() => '')) ?? '';

					await redis.stop();
					// node-3's samples stop reaching node 1: out of date after 3 s, out of the totals after 8 s.
					await expect.poll(missing, { timeout: 10_000, interval: 250 }).toContain('node-3');
					await expect.poll(missing, { timeout: 10_000, interval: 250 }).toContain('cluster link is down');
					// Queries meanwhile answer with node 1's part and name the node they could not reach.
					const during = await ask<Page<SocketRow>>(dashboard, 'sockets:query', {});
					expect(during.missingNodes).toContain('node-3');
					expect(during.total).toBe(sockets('node-1'));

					await redis.restart();
					await expect.poll(async () => (await missing()).includes('node-3'), { timeout: 30_000 }).toBe(false);
					await expect.poll(shown, { timeout: 10_000 }).toBe(total());
				} finally {
					await browser.close();
				}
			}, 90_000);
		});
	});
}
