/**
 * Spreads work over time: a room of 10,000 sockets disconnected at once would have them all
 * reconnect at once. Timers are unref'd, and `stop()` ends whatever is still running.
 */
import type { Faults } from '../base/faults.js';

/** Batches per second at high rates; at low rates, one socket per batch. */
const TICKS_PER_SECOND = 10;

export class Pacer {
	private readonly timers = new Set<NodeJS.Timeout>();

	constructor(private readonly faults: Faults) {}

	/** Calls `step` with batches of `ids`, `perSecond` of them a second, the first batch now. */
	start(ids: readonly string[], perSecond: number, step: (batch: string[]) => void): void {
		const perTick = Math.ceil(perSecond / TICKS_PER_SECOND);
		const queue = [...ids];
		const tick = () => {
			try {
				step(queue.splice(0, perTick));
			} catch (err) {
				this.faults.record('paced command', err);
			}
			if (queue.length === 0) {
				clearInterval(timer);
				this.timers.delete(timer);
			}
		};
		const timer = setInterval(tick, (1000 * perTick) / perSecond);
		// A paced disconnect must never keep the host's process alive.
		timer.unref();
		this.timers.add(timer);
		tick();
	}

	/** Sockets not yet reached stay connected. */
	stop(): void {
		for (const timer of this.timers) clearInterval(timer);
		this.timers.clear();
	}
}
