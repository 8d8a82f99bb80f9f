/**
 * A multi-tenant app's shape: one dynamic namespace per workspace (`io.of(/^\/ws-\d+$/)`), each
 * with its own sockets. The client sockets share a few engine.io connections (socket.io's own
 * multiplexing, as a browser tab that opens several workspaces does), so that 10,000 namespaces
 * cost the test thousands of sockets, not thousands of WebSocket handshakes.
 */
import type { Server } from 'socket.io';
import { Manager, type Socket as ClientSocket } from 'socket.io-client';

/** The regex parent namespace the tenants are children of. */
export const TENANT_NAMESPACES = /^\/ws-\d+$/;

/** The name of tenant `i`, zero-padded so that names sort as numbers do. */
export function tenantName(i: number): string {
	return `/ws-${String(i).padStart(5, '0')}`;
}

/** Serves the tenants' namespaces: each socket joins its workspace's `general` room. */
export function serveTenants(io: Server): void {
	io.of(TENANT_NAMESPACES).on('connection', (socket) => socket.join('general'));
}

export interface Tenants {
	sockets: ClientSocket[];
	close(): void;
}

/**
 * `count` namespaces with `perNamespace` sockets each, over `connections` engine.io connections;
 * resolves once every socket is connected.
 */
export async function connectTenants(
	url: string,
	count: number,
	perNamespace = 1,
	connections = 8
): Promise<Tenants> {
	const managers = Array.from(
		{ length: connections },
		() => new Manager(url, { transports: ['websocket'], reconnection: false })
	);
	const sockets: ClientSocket[] = [];
	const batch = 500;
	for (let from = 0; from < count; from += batch) {
		const connecting: Promise<void>[] = [];
		for (let i = from; i < Math.min(count, from + batch); i++) {
			for (let j = 0; j < perNamespace; j++) {
				// The same namespace twice on one connection is the same socket: a manager per copy.
				const manager = managers[(i + j * Math.ceil(connections / perNamespace)) % connections];
				const socket = manager.socket(tenantName(i));
				sockets.push(socket);
				connecting.push(
					new Promise((resolve, reject) => {
						socket.once('connect', () => resolve());
						socket.once('connect_error', reject);
					})
				);
				// Not `socket.connect()`: the manager connects its sockets itself (`autoConnect`), and
				// on an open connection a second call sends a second CONNECT for the same namespace.
			}
		}
		await Promise.all(connecting);
	}
	return {
		sockets,
		close() {
			for (const socket of sockets) socket.disconnect();
			for (const manager of managers) manager.engine?.close();
		}
	};
}
