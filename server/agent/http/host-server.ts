/**
 * The agent's hold on the host's servers: one agent per Socket.IO server, and the HTTP server it
 * serves the dashboard and metrics on, now or once `io.attach()` (or `io.listen()`) provides one.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server } from 'socket.io';
import { AgentError } from '../base/errors.js';

const instrumented = new WeakSet<Server>();

/**
 * Throws, saying what it got, when `io` is not a Socket.IO Server. Duck-typed, since the host's
 * socket.io may be another copy (or version) than the one the agent was built against; the
 * members checked are the ones the agent reads first. The usual slip is the http.Server.
 */
export function assertServer(io: unknown): asserts io is Server {
	const it = io as Partial<Record<'of' | 'use' | 'sockets' | '_nsps', unknown>> | null | undefined;
	if (
		typeof it === 'object' &&
		it !== null &&
		typeof it.of === 'function' &&
		typeof it.use === 'function' &&
		typeof it.sockets === 'object' &&
		it._nsps instanceof Map
	) {
		return;
	}
	throw new AgentError(
		'E_OPTIONS',
		`instrument(io, options): io must be a Socket.IO Server (\`new Server(httpServer)\` from socket.io 4.6 or later); got ${describe(io)}`
	);
}

/** What a wrong `io` is, in words an operator recognises. */
function describe(value: unknown): string {
	if (value === null || value === undefined) return String(value);
	if (typeof value !== 'object') return `a ${typeof value}`;
	const it = value as Record<string, unknown>;
	if (typeof it.listen === 'function' && typeof it.listeners === 'function' && 'maxHeadersCount' in it) {
		return 'an http.Server — pass the Socket.IO Server created on it instead';
	}
	if (typeof it.to === 'function' && typeof it.name === 'string' && typeof it.server === 'object') {
		return `the namespace ${JSON.stringify(it.name)} — pass its server (\`nsp.server\`) instead`;
	}
	const ctor = Object.getPrototypeOf(value)?.constructor;
	const name = typeof ctor === 'function' && ctor.name && ctor !== Object ? ctor.name : '';
	return name ? `an instance of ${name}` : 'a plain object';
}

/** Throws when `io` already has an agent: two would count everything twice and fight over routes. */
export function assertNotInstrumented(io: Server): void {
	if (instrumented.has(io)) {
		throw new AgentError(
			'E_OPTIONS',
			'instrument(io): this Server is already instrumented; call close() on the first instrumentation before instrumenting it again'
		);
	}
}

/** Marks `io` as instrumented until the returned release is called. */
export function claimServer(io: Server): () => void {
	instrumented.add(io);
	return () => instrumented.delete(io);
}

/**
 * Calls `mount` with the HTTP server: `explicit`, else the one `io` is attached to, else the one
 * a later `io.attach()` gives it (with a warning now, since nothing is served until then). Returns
 * what undoes it.
 */
export function onHttpServer(
	io: Server,
	explicit: HttpServer | undefined,
	served: string,
	mount: (server: HttpServer) => () => void
): () => void {
	const current = explicit ?? (io.httpServer as HttpServer | undefined);
	if (current) return mount(current);
	console.warn(
		`sockscope: this Socket.IO server has no HTTP server yet, so ${served} will be served once io.attach() or io.listen() gives it one (or pass the \`httpServer\` option)`
	);
	let unmount: (() => void) | undefined;
	// An own property shadows the prototype's method; `listen()` calls `attach()` too.
	const attach = io.attach;
	io.attach = function (this: Server, ...args: Parameters<Server['attach']>) {
		const result = attach.apply(this, args);
		if (!unmount && this.httpServer) unmount = mount(this.httpServer as HttpServer);
		return result;
	};
	return () => {
		if (Object.hasOwn(io, 'attach')) delete (io as Partial<Server>).attach;
		unmount?.();
	};
}
