/** Starting and stopping the nodes of a test cluster: each node.ts in its own process. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Socket as ClientSocket } from 'socket.io-client';
import type { RedisServer } from '../support/redis.js';

export interface Node {
	id: string;
	port: number;
	child: ChildProcess;
}

/** A node behind the Redis adapter (`kind` 'redis') or the Redis Streams adapter ('streams'). */
export function startNode(id: string, redisUrl: string, kind: string): Promise<Node> {
	const child = fork(fileURLToPath(new URL('./node.ts', import.meta.url)), [id, redisUrl, kind], {
		execArgv: ['--import', 'tsx'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc']
	});
	return new Promise((resolve, reject) => {
		child.once('message', (m: { port: number }) => resolve({ id, port: m.port, child }));
		child.once('exit', (code) => reject(new Error(`node ${id} exited with ${code}`)));
	});
}

/** Disconnects every client and the dashboard, kills the nodes and stops Redis. */
export async function stopCluster(
	clients: ClientSocket[],
	dashboard: ClientSocket | undefined,
	nodes: Node[] | undefined,
	redis: RedisServer | undefined
): Promise<void> {
	for (const c of clients) c.disconnect();
	dashboard?.disconnect();
	for (const n of nodes ?? []) n.child.kill('SIGKILL');
	await redis?.stop();
}
