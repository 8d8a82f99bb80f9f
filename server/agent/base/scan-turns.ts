/**
 * Turns of the event loop shared by every scan of the sockets (queries, seeks, live windows). A
 * scan reads a chunk of sockets, then waits here for its next turn; each turn lets at most
 * `CHUNKS_PER_TURN` waiting chunks run, whichever scans they belong to, then lets the host run
 * (its timers and I/O) before the next. So the host's event loop is held for a few chunks at most
 * however many dashboards scan at once: more scans make each scan slower, never the host.
 *
 * Two lines wait: what a dashboard is waiting for (a request's answer, a new window's first rows)
 * and what only keeps views current (a live window's refresh after each sample). A turn serves the
 * first line before the second, so that on a saturated host, where turns are few, a dashboard's
 * first view is not queued behind refreshes that the next sample would redo anyway.
 */

/** Which line a chunk waits in: `answer` (someone waits for it) or `background` (a refresh). */
export type TurnLane = 'answer' | 'background';

/**
 * Chunks read (or requests started) in one turn of the event loop, all scans together: one, so
 * that what the agent adds to a turn stays a few milliseconds at 10,000 sockets, beside the
 * host's own work in the same turn.
 */
export const CHUNKS_PER_TURN = 1;

export class ScanTurns {
	/** Scans waiting for their next chunk, in the order they asked: each gets one chunk a turn. */
	private readonly waiting: (() => void)[] = [];
	/** The same for refreshes, served only in turns that no answer waits for. */
	private readonly background: (() => void)[] = [];
	private scheduled = false;

	constructor(private readonly perTurn = CHUNKS_PER_TURN) {}

	/** Resolves on a later turn of the event loop, when the caller may read its next chunk. */
	next(lane: TurnLane = 'answer'): Promise<void> {
		return new Promise((resolve) => {
			(lane === 'answer' ? this.waiting : this.background).push(resolve);
			this.schedule();
		});
	}

	/** Chunks waiting, both lines together. */
	get pending(): number {
		return this.waiting.length + this.background.length;
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
		const go = this.waiting.splice(0, this.perTurn);
		go.push(...this.background.splice(0, this.perTurn - go.length));
		for (const resolve of go) resolve();
		if (this.pending > 0) this.schedule();
	};
}
