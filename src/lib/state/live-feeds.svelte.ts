/**
 * The two pushed lists: the live event log and new audit entries. Both are bounded, newest first,
 * so a busy server cannot grow the page's memory.
 */
import type { AuditEntry } from '$protocol/commands';
import type { LogBatch, LogEntry } from '$protocol/models';

export const LOG_LIMIT = 1000;
const AUDIT_LIMIT = 200;

export class LogBuffer {
	entries = $state.raw<LogEntry[]>([]);
	/** Entries the agent's rate cap left out, since the subscription began. */
	dropped = $state(0);
	/** Entries that arrived while paused and were not shown. */
	missed = $state(0);
	paused = $state(false);

	push(batch: LogBatch): void {
		this.dropped += batch.dropped;
		if (this.paused) {
			this.missed += batch.entries.length;
			return;
		}
		const fresh = batch.entries.slice(-LOG_LIMIT).reverse();
		this.entries = fresh.concat(this.entries).slice(0, LOG_LIMIT);
	}

	reset(): void {
		this.entries = [];
		this.dropped = 0;
		this.missed = 0;
	}

	togglePause(): void {
		this.paused = !this.paused;
		if (!this.paused) this.missed = 0;
	}
}

export class AuditFeed {
	live = $state.raw<AuditEntry[]>([]);

	push(entry: AuditEntry): void {
		this.live = [entry, ...this.live].slice(0, AUDIT_LIMIT);
	}

	clear(): void {
		this.live = [];
	}
}
