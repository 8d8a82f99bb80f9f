/**
 * The live event log, from admin-ui's `event_received` and `event_sent`. admin-ui sends one message
 * per event of the app, so the tap filters them as the agent filters its own, keeps at most
 * `LOG_MAX_PER_SECOND` a second (the rest are counted as dropped), and hands the page one batch
 * per animation frame; while the tab is hidden, and frames stop, the waiting entries stay bounded.
 */
import { MAX_LOG_ARGS_TEXT } from '$protocol/limits';
import { truncateName } from '$protocol/top-n';
import type { LogBatch, LogEntry, LogFilter } from '$protocol/models';
import type { SocketIndex } from './socket-index';

export const LOG_MAX_PER_SECOND = 200;
const PENDING_LIMIT = 1000;

export class LogTap {
	#filter: LogFilter | null = null;
	#pending: LogEntry[] = [];
	#dropped = 0;
	#second = 0;
	#inSecond = 0;
	#scheduled = false;

	constructor(
		private readonly index: SocketIndex,
		private readonly deliver: (batch: LogBatch) => void
	) {}

	subscribe(filter: LogFilter): void {
		this.#filter = filter;
		this.#pending = [];
		this.#dropped = 0;
	}

	unsubscribe(): void {
		this.#filter = null;
		this.#pending = [];
	}

	record(
		direction: 'in' | 'out',
		namespace: string,
		socket: string,
		args: unknown[],
		t: number,
		nodeId: string
	): void {
		const f = this.#filter;
		if (!f) return;
		const event = String(args[0]);
		if (f.direction !== undefined && f.direction !== direction) return;
		if (f.namespace !== undefined && f.namespace !== namespace) return;
		if (f.socket !== undefined && f.socket !== socket) return;
		if (f.event !== undefined && f.event !== event) return;
		if (f.room !== undefined && !this.index.get(namespace, socket)?.rooms.has(f.room)) return;
		const second = Math.floor(Date.now() / 1000);
		if (second !== this.#second) {
			this.#second = second;
			this.#inSecond = 0;
		}
		if (++this.#inSecond > LOG_MAX_PER_SECOND) this.#dropped++;
		else {
			this.#pending.push({
				t,
				nodeId,
				direction,
				namespace,
				socket,
				event: truncateName(event),
				bytes: 0,
				args: preview(args.slice(1))
			});
			if (this.#pending.length > PENDING_LIMIT)
				this.#dropped += this.#pending.splice(0, 100).length;
		}
		this.#schedule();
	}

	#schedule(): void {
		if (this.#scheduled) return;
		this.#scheduled = true;
		const run = () => {
			this.#scheduled = false;
			this.#flush();
		};
		if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
		else setTimeout(run, 16);
	}

	#flush(): void {
		if (!this.#filter || (this.#pending.length === 0 && this.#dropped === 0)) return;
		const batch = { entries: this.#pending, dropped: this.#dropped };
		this.#pending = [];
		this.#dropped = 0;
		this.deliver(batch);
	}
}

/** The arguments as truncated JSON; acknowledgement callbacks and undefined are left out. */
function preview(args: unknown[]): string {
	let text: string;
	try {
		text = JSON.stringify(args.filter((a) => a !== undefined && typeof a !== 'function'));
	} catch {
		text = '[unserializable]';
	}
	return truncateName(text, MAX_LOG_ARGS_TEXT);
}
