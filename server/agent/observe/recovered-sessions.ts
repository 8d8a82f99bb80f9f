/**
 * The figures of sockets whose transport dropped while socket.io keeps their session for
 * connection state recovery. When the client comes back within the window, socket.io makes a new
 * `Socket` with the same id and `recovered === true`: the agent's new record for it takes these
 * figures over, so the socket's traffic continues instead of starting again from zero.
 *
 * Bounded twice: an entry lives no longer than socket.io keeps the session, and there are at most
 * `max` of them (the oldest go first), so a mass drop costs a fixed amount of memory whatever the
 * socket count. Entries are in insertion order, which is time order: expiry looks at the front only.
 * Socket ids are random and unique across namespaces, so the id alone is the key.
 */
import type { SocketState } from './model.js';

/** About 100 bytes each: 2 MB at most. */
const MAX_PARKED = 20_000;

interface Parked {
	/** When the socket was parked, from `performance.now()`. */
	at: number;
	/** Its namespace's name: a string the namespace already holds, so no namespace is kept alive. */
	namespace: string;
	eventsIn: number;
	eventsOut: number;
	bytesIn: number;
	bytesOut: number;
}

export class RecoveredSessions {
	private readonly parked = new Map<string, Parked>();

	constructor(
		/** socket.io's `maxDisconnectionDuration`: past it, the session cannot be recovered. */
		private readonly window: number,
		private readonly max = MAX_PARKED
	) {}

	/** Keeps a dropped socket's figures until it comes back, or its session expires. */
	park(s: SocketState): void {
		const now = performance.now();
		this.expire(now);
		const id = s.socket.id;
		// Parked again (dropped, recovered, dropped): the latest figures, at the back of the order.
		this.parked.delete(id);
		if (this.parked.size >= this.max) this.parked.delete(this.parked.keys().next().value!);
		this.parked.set(id, {
			at: now,
			namespace: s.stats.name,
			eventsIn: s.eventsIn,
			eventsOut: s.eventsOut,
			bytesIn: s.bytesIn,
			bytesOut: s.bytesOut
		});
	}

	/** Gives a recovered socket's new record the figures its session had; false when none were kept. */
	resume(s: SocketState): boolean {
		const id = s.socket.id;
		const parked = this.parked.get(id);
		if (parked === undefined) return false;
		this.parked.delete(id);
		if (parked.namespace !== s.stats.name || performance.now() - parked.at > this.window)
			return false;
		s.eventsIn += parked.eventsIn;
		s.eventsOut += parked.eventsOut;
		s.bytesIn += parked.bytesIn;
		s.bytesOut += parked.bytesOut;
		return true;
	}

	/** Drops the sessions socket.io has given up on, oldest first. */
	private expire(now: number): void {
		for (const [id, parked] of this.parked) {
			if (now - parked.at <= this.window) return;
			this.parked.delete(id);
		}
	}
}
