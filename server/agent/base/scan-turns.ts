/**
 * Turns of the event loop shared by every scan of the sockets (queries, seeks, live windows). A
 * scan reads a chunk of sockets, then waits here for its next turn; each turn lets at most
 * `CHUNKS_PER_TURN` waiting chunks run, whichever scans they belong to, then lets the host run
 * (its timers and I/O) before the next. So the host's event loop is held for a few chunks at most
 * however many dashboards scan at once: more scans make each scan slower, never the host.
 */

/**
 * Chunks read (or requests started) in one turn of the event loop, all scans together: one, so
 * that what the agent adds to a turn stays a few milliseconds at 10,000 sockets, beside the
 * host's own work in the same turn.
 */
export const CHUNKS_PER_TURN = 1;

export class ScanTurns {
	/** Scans waiting for their next chunk, in the order they asked: each gets one chunk a turn. */
	private readonly waiting: (() => void)[] = [];
	private scheduled = false;

	constructor(private readonly perTurn = CHUNKS_PER_TURN) {}

	/** Resolves on a later turn of the event loop, when the caller may read its next chunk. */
	next(): Promise<void> {
		return new Promise((resolve) => {
			this.waiting.push(resolve);
			this.schedule();
		});
	}

	private schedule(): void {
		if (this.scheduled) return;
		this.scheduled = true;
		// An immediate set during the poll phase runs in the same loop pass; one set from it, the
		// next: timers and I/O run in between.
		setImmediate(() => setImmediate(this.run));
	}

	private readonly run = (): void => {
		this.scheduled = false;
		// The scans let go read their chunk in this turn's microtasks, then ask again at the end of
		// the line.
		for (const resolve of this.waiting.splice(0, this.perTurn)) resolve();
		if (this.waiting.length > 0) this.schedule();
	};
}
