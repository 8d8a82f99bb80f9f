/**
 * A presence check: every few seconds the server asks the sockets of a namespace, with an
 * acknowledgement, whether they are still there. Bots answer at once, slowly or never (see
 * `bots.ts`), so the dashboard has server-to-client acknowledgement latency and timeouts to show.
 */
import type { Namespace } from 'socket.io';

/** The event a client acknowledges to say it is present. */
export const PRESENCE_CHECK = 'presence:check';
const TIMEOUT_MS = 5000;

/** Starts the checks; returns what stops them. `skip`: a room whose clients cannot answer. */
export function registerPresence(nsp: Namespace, everyMs = 10_000, skip?: string): () => void {
	const timer = setInterval(() => {
		const to = skip ? nsp.except(skip) : nsp;
		// One broadcast with an ack: each socket answers for itself; the replies are not needed.
		to.timeout(TIMEOUT_MS).emit(PRESENCE_CHECK, () => {});
	}, everyMs);
	timer.unref();
	return () => clearInterval(timer);
}
