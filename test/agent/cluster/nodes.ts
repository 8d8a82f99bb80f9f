/** Stopping a test cluster: its clients, its dashboard, its nodes (start-node.ts) and Redis. */
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { once } from '../../support/agent-fixture.js';
import type { RedisServer } from '../../support/redis.js';
import type { Node } from './start-node.js';

/** Connects `count` clients to a node one after the other, so that they sort by connection, into `clients`. */
export async function connectClients(
	node: Node,
	count: number,
	clients: ClientSocket[]
): Promise<void> {
	for (let k = 0; k < count; k++) {
		const socket = connect(`http://127.0.0.1:${node.port}`, {
			transports: ['websocket'],
			forceNew: true,
			reconnection: false
		});
		clients.push(socket);
		await once(socket, 'connect');
	}
}

/** Disconnects every client and the dashboard, kills the nodes and stops Redis (or PostgreSQL). */
export async function stopCluster(
	clients: ClientSocket[],
	dashboard: ClientSocket | undefined,
	nodes: Node[] | undefined,
	redis: Pick<RedisServer, 'stop'> | undefined
): Promise<void> {
	for (const c of clients) c.disconnect();
	dashboard?.disconnect();
	for (const n of nodes ?? []) n.child.kill('SIGKILL');
	await redis?.stop();
}
