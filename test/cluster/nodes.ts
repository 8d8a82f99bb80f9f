/** Stopping a test cluster: its clients, its dashboard, its nodes (start-node.ts) and Redis. */
import type { Socket as ClientSocket } from 'socket.io-client';
import type { RedisServer } from '../support/redis.js';
import type { Node } from './start-node.js';

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
