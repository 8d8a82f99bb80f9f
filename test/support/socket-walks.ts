/** Counting the walks over a namespace's sockets: how often anything (the agent) read them all. */

/** From now on, counts every walk over `sockets`, whatever it is walked for; returns the count so far. */
export function countWalks(sockets: Map<string, unknown>): () => number {
	let walks = 0;
	for (const method of ['keys', 'values', 'entries', Symbol.iterator] as const) {
		const walk = sockets[method] as (this: typeof sockets) => Iterator<unknown>;
		Object.defineProperty(sockets, method, {
			configurable: true,
			value(this: typeof sockets) {
				walks++;
				return walk.call(this);
			}
		});
	}
	return () => walks;
}
