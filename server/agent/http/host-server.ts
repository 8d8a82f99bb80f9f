/**
 * The agent's hold on the host's servers: one agent per Socket.IO server, and the HTTP server it
 * serves the dashboard and metrics on, now or once `io.attach()` (or `io.listen()`) provides one.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server } from 'socket.io';
import { AgentError } from '../base/errors.js';

const instrumented = new WeakSet<Server>();

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
