/**
 * A socket's acknowledgements awaited now, in a few fixed slots, and its ack figures since it
 * connected. Kept on the socket's record (`SocketState.acks`); filled by `AckTracker`.
 */
import type { EventCounter } from '../event-names.js';

/** Acknowledgements awaited per socket; when all are taken, the oldest is given up. */
export const ACKS_PER_SOCKET = 8;

/** A socket's acks awaited now, and its figures since it connected. */
export class AckTable {
	/** Per slot: the ack id, negated minus one for `out`; and when it was sent (0: free slot). */
	readonly keys = new Float64Array(ACKS_PER_SOCKET);
	readonly times = new Float64Array(ACKS_PER_SOCKET);
	readonly counters: (EventCounter | null)[] = new Array(ACKS_PER_SOCKET).fill(null);
	size = 0;
	/** Whether the tracker's sweep list holds this table. */
	listed = false;
	readonly in = { count: 0, timeouts: 0, sumMs: 0 };
	readonly out = { count: 0, timeouts: 0, sumMs: 0 };
}
