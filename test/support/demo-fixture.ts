/** The demo server on a free loopback port, and clients of its namespaces. */
import type { Socket } from 'socket.io-client';
import {
	createDemoServer,
	type DemoServer,
	type DemoServerOptions
} from '../../server/demo/chat-server.js';
import { connectClient, type ClientOptions } from './util.js';

export interface DemoFixture {
	server: DemoServer;
	/** A connected client of `namespace`, `auth` e.g. `{ name: 'alice' }`; closed by `close()`. */
	client(
		namespace: string,
		auth?: Record<string, unknown>,
		options?: ClientOptions
	): Promise<Socket>;
	close(): Promise<void>;
}

export async function startDemo(options: DemoServerOptions = {}): Promise<DemoFixture> {
	const server = await createDemoServer({ port: 0, ...options });
	const clients: Socket[] = [];
	return {
		server,
		async client(namespace, auth, clientOptions) {
			const socket = await connectClient(`${server.url}${namespace}`, { auth, ...clientOptions });
			clients.push(socket);
			return socket;
		},
		async close() {
			for (const client of clients) client.disconnect();
			await server.close();
		}
	};
}

type Reply<T> = { data: T } | { error: string };

/** Emits `event` with an ack and returns the reply's `data`; a refusal throws with its message. */
export async function request<T = unknown>(
	socket: Socket,
	event: string,
	...args: unknown[]
): Promise<T> {
	const reply = (await socket.timeout(5000).emitWithAck(event, ...args)) as Reply<T>;
	if ('error' in reply) throw new Error(reply.error);
	return reply.data;
}

/**
 * Waits until the server has answered `event` (any event it acks) from `socket`. Replies on one
 * connection arrive in the order the server wrote them, so once this resolves, anything the server
 * sent this client before has arrived too: "received nothing" is then a fact, not a guess about
 * timing.
 */
export async function drain(socket: Socket, event = 'rooms:list'): Promise<void> {
	// A refusal is an answer too; only a missing one (a timeout) fails.
	await socket.timeout(5000).emitWithAck(event);
}
