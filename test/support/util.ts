/** Helpers for tests that run real servers and real clients on loopback. */
import { createServer } from 'node:net';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';

export type ClientOptions = Partial<ManagerOptions & SocketOptions>;

/** Anything with `once`/`off`: a Node EventEmitter, a socket.io client or server socket. */
export interface Listenable {
	once(event: string, listener: (...args: any[]) => void): unknown;
	off(event: string, listener: (...args: any[]) => void): unknown;
}

/**
 * A TCP port that is free on `host` now. For a child process that must be told its port; a server
 * in the test's own process should listen on port 0 instead.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, host, () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

/**
 * The first argument of the next `event`. Rejects after `timeout` ms, so a missing event fails with
 * its name rather than as an anonymous test timeout.
 */
export function waitFor<T = unknown>(
	emitter: Listenable,
	event: string,
	timeout = 5000
): Promise<T> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			emitter.off(event, listener);
			reject(new Error(`no "${event}" within ${timeout} ms`));
		}, timeout);
		function listener(value: T) {
			clearTimeout(timer);
			resolve(value);
		}
		emitter.once(event, listener);
	});
}

/**
 * A socket.io client connected to `url` (whose path is the namespace), or the error of its
 * `connect_error`. Each client gets its own connection, websocket only and without reconnection,
 * unless `options` say otherwise: a test decides when a client comes back.
 */
export async function connectClient(url: string, options: ClientOptions = {}): Promise<Socket> {
	const socket = io(url, {
		forceNew: true,
		reconnection: false,
		transports: ['websocket'],
		...options
	});
	try {
		await Promise.race([
			waitFor(socket, 'connect'),
			waitFor<Error>(socket, 'connect_error').then((err) => Promise.reject(err))
		]);
		return socket;
	} catch (err) {
		socket.disconnect();
		throw err;
	}
}

/** Every payload of `event` that `emitter` receives from now on, in order. */
export function collect<T = unknown>(
	emitter: { on(event: string, listener: (value: T) => void): unknown },
	event: string
): T[] {
	const received: T[] = [];
	emitter.on(event, (value) => received.push(value));
	return received;
}

/** Sockets on each node (every namespace summed), as a dashboard's samples report them from now on. */
export function socketsPerNode(dashboard: {
	on(event: string, listener: (sample: never) => void): unknown;
}): Map<string, number> {
	const nodes = new Map<string, number>();
	dashboard.on('stats:sample', (s: { nodeId: string; namespaces: { sockets: number }[] }) =>
		nodes.set(
			s.nodeId,
			s.namespaces.reduce((n, ns) => n + ns.sockets, 0)
		)
	);
	return nodes;
}
