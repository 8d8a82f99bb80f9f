/**
 * Acknowledgement figures, failed connections and admin actions over a cluster: two nodes behind
 * a real redis-server, one dashboard on node 1 that sees both nodes' figures and the commands run
 * from a dashboard on node 2.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import type { AuditEntry } from '../../../server/protocol/commands.js';
import type { Sample, Snapshot } from '../../../server/protocol/models.js';
import { ackRowsOf } from '../../../src/lib/state/acks.js';
import { ask, once } from '../../support/agent-fixture.js';
import { describeWithRedis, startRedis, type RedisServer } from '../../support/redis.js';

interface Node {
	port: number;
	kill(): void;
}

function startNode(id: string, redisUrl: string): Promise<Node> {
	const child = fork(
		fileURLToPath(new URL('./node.ts', import.meta.url)),
		[id, redisUrl, 'redis'],
		{
			execArgv: ['--import', 'tsx'],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc']
		}
	);
	return new Promise((resolve, reject) => {
		child.once('message', (m: { port: number }) =>
			resolve({ port: m.port, kill: () => child.kill('SIGKILL') })
		);
		child.once('exit', (code) => reject(new Error(`node ${id} exited with ${code}`)));
	});
}

describeWithRedis('acks, failed connections and admin actions over a cluster', () => {
	let redis: RedisServer;
	let nodes: Node[] = [];
	const sockets: ClientSocket[] = [];
	const samples: Sample[] = [];
	const entries: AuditEntry[] = [];

	function open(node: Node, path = '', auth: Record<string, unknown> = {}) {
		const socket = connect(`http://127.0.0.1:${node.port}${path}`, {
			transports: ['websocket'],
			forceNew: true,
			reconnection: false,
			auth
		});
		sockets.push(socket);
		return socket;
	}

	beforeAll(async () => {
		redis = await startRedis();
		nodes = await Promise.all(['node-1', 'node-2'].map((id) => startNode(id, redis.url)));
		const dashboard = open(nodes[0], '/sockscope');
		dashboard.on('stats:sample', (s: Sample) => samples.push(s));
		dashboard.on('audit:entry', (e: AuditEntry) => entries.push(e));
		await once<Snapshot>(dashboard, 'state:snapshot');
	}, 60_000);

	afterAll(async () => {
		for (const s of sockets) s.disconnect();
		for (const n of nodes) n.kill();
		await redis?.stop();
	});

	test('acknowledgements on both nodes add up in the cluster totals', async () => {
		for (const node of nodes) {
			const client = open(node);
			await once(client, 'connect');
			await Promise.all([1, 2].map(() => client.timeout(5000).emitWithAck('slow')));
		}
		const count = (nodeId: string) =>
			samples
				.filter((s) => s.nodeId === nodeId)
				.flatMap((s) => s.namespaces.flatMap((ns) => ns.acks ?? []))
				.filter((a) => a.name === 'slow' && a.direction === 'in')
				.reduce((n, a) => n + a.count, 0);
		await expect
			.poll(() => [count('node-1'), count('node-2')], { timeout: 10_000 })
			.toEqual([2, 2]);
		const [row] = ackRowsOf(samples).filter((r) => r.name === 'slow');
		expect(row).toMatchObject({ namespace: '/', direction: 'in', count: 4, timeouts: 0 });
		expect(row.p50).toBeGreaterThanOrEqual(150);
		expect(row.p50).toBeLessThan(1000);
	});

	test("a handshake refused on node 2 shows in node 1's dashboard", async () => {
		const refused = open(nodes[1], '', { banned: true });
		expect((await once<Error>(refused, 'connect_error')).message).toBe('banned');
		await expect
			.poll(
				() =>
					samples
						.filter((s) => s.nodeId === 'node-2')
						.some((s) => s.connectionErrors?.counts.refused),
				{ timeout: 10_000 }
			)
			.toBe(true);
	});

	test("a command run from node 2's dashboard reaches node 1's dashboard, for its markers", async () => {
		const other = open(nodes[1], '/sockscope');
		await once<Snapshot>(other, 'state:snapshot');
		await ask(other, 'emit:send', { namespace: '/', event: 'cluster-marker', args: [] });
		await expect
			.poll(() => entries.map((e) => `${e.nodeId} ${e.command} ${e.target}`), { timeout: 10_000 })
			.toContain('node-2 emit:send namespace event cluster-marker');
	});
});
