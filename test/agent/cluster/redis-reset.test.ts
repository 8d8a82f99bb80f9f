/**
 * Redis dropping every connection while the agent's samples and queries are in flight must not end
 * a node: both Redis adapters drop the promise of some of their PUBLISH calls, so without the
 * agent's guard an in-flight sample is an unhandled rejection, and the test nodes have no handler
 * for those (Node's default: the process exits).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createClient } from 'redis';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import type { Page, Sample, Snapshot, SocketRow } from '../../../server/protocol/models.js';
import { once } from '../../support/agent-fixture.js';
import { describeWithRedis, startRedis, type RedisServer } from '../../support/redis.js';
import { startNode, type Node } from './start-node.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const IDS = ['node-1', 'node-2', 'node-3'];

for (const kind of ['redis', 'streams'] as const) {
	describeWithRedis(`the agent's cluster traffic through Redis resets (${kind} adapter)`, () => {
		let redis: RedisServer;
		let control: ReturnType<typeof createClient>;
		let nodes: Node[];
		let dashboard: ClientSocket;
		const exits: string[] = [];
		const latest = new Map<string, Sample>();

		beforeAll(async () => {
			redis = await startRedis();
			control = createClient({ url: redis.url });
			await control.connect();
			nodes = await Promise.all(IDS.map((id) => startNode(id, redis.url, kind)));
			for (const n of nodes)
				n.child.on('exit', (code, signal) => exits.push(`${n.id}: ${code ?? signal}`));
			dashboard = connect(`http://127.0.0.1:${nodes[0].port}/sockscope`, {
				transports: ['websocket'],
				forceNew: true
			});
			dashboard.on('stats:sample', (s: Sample) => latest.set(s.nodeId, s));
			await once<Snapshot>(dashboard, 'state:snapshot');
		}, 60_000);

		afterAll(async () => {
			dashboard?.disconnect();
			for (const n of nodes ?? []) n.child.kill('SIGKILL');
			await control?.quit().catch(() => {});
			await redis?.stop();
		});

		test('no node ends, and samples and queries resume without restarting any node', async () => {
			await expect.poll(() => IDS.every((id) => latest.has(id)), { timeout: 15_000 }).toBe(true);
			for (let round = 0; round < 3; round++) {
				// Writes (PUBLISH, XADD) wait in Redis while it is paused, so the nodes' samples (every
				// 500 ms) and a fan-out query are in flight when their connections are killed.
				await control.sendCommand(['CLIENT', 'PAUSE', '3000', 'WRITE']);
				const query = dashboard
					.timeout(5000)
					.emitWithAck('sockets:query', {})
					.catch(() => undefined);
				await sleep(1200);
				await control.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
				await control.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal']);
				await control.sendCommand(['CLIENT', 'UNPAUSE']);
				await query;
			}
			const after = Date.now();
			const resumed = () => IDS.every((id) => (latest.get(id)?.t ?? 0) > after);
			await expect
				.poll(() => exits.length > 0 || resumed(), { timeout: 20_000, interval: 250 })
				.toBe(true);
			expect(exits).toEqual([]);
			await expect
				.poll(
					async () => {
						const answer = (await dashboard.timeout(5000).emitWithAck('sockets:query', {})) as {
							data?: Page<SocketRow>;
						};
						return answer.data?.missingNodes;
					},
					{ timeout: 20_000 }
				)
				.toEqual([]);
			expect(exits).toEqual([]);
		}, 90_000);
	});
}
