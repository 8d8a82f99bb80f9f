/**
 * The agent ends with its server: when the host calls `io.close()`, the agent closes too, so a
 * closed server leaves no timer, listener or route of the agent behind (a test suite that opens a
 * server per test would otherwise collect one sampler and one loop-delay probe per server).
 *
 * socket.io has no close event of its own, and `io.close()` is the one call every shutdown path
 * goes through; the agent wraps it on the instance, and puts it back when it closes first.
 */
import type { Server } from 'socket.io';
import type { Faults } from '../base/faults.js';

type Close = Server['close'];

/** Calls `stop` at the start of the host's `io.close()`; the returned function undoes the wrap. */
export function stopWithServer(io: Server, stop: () => Promise<void>, faults: Faults): () => void {
	const hadOwn = Object.hasOwn(io, 'close');
	const original = io.close;
	const close: Close = function (this: Server, fn) {
		let stopping: Promise<void>;
		try {
			stopping = stop().catch((err) => faults.record('close with server', err));
		} catch (err) {
			faults.record('close with server', err);
			stopping = Promise.resolve();
		}
		const closing = original.call(this, fn);
		return Promise.all([stopping, closing]).then(() => undefined);
	};
	io.close = close;
	return () => {
		// Only ours to undo if nobody wrapped it after us.
		if (io.close !== close) return;
		if (hadOwn) io.close = original;
		else delete (io as Partial<Server>).close;
	};
}
