/**
 * The live event log: dashboards subscribe with a filter and receive batches, four a second, capped
 * per dashboard so that a busy server cannot flood one; what the cap leaves out is counted and
 * reported. While nobody is subscribed the hooks skip it with one boolean check.
 */
import type { LogBatch, LogEntry, LogFilter, Principal } from '../protocol/models.js';
import { MAX_LOG_ARGS_TEXT } from '../protocol/limits.js';
import { truncateName } from '../protocol/top-n.js';
import type { EventTap } from './collectors/engine.js';
import type { SocketState } from './model.js';
import { canSee } from './sampler.js';
import { checkSubscriptionLimits, type SubscriptionLimits } from './request-limits.js';

const FLUSH_MS = 250;

export interface LogSubscriber {
	principal: Principal;
	filter: LogFilter;
	send(batch: LogBatch): void;
}

interface Subscription extends LogSubscriber {
	entries: LogEntry[];
	dropped: number;
	windowStart: number;
	inWindow: number;
}

export class EventLog implements EventTap {
	active = false;
	private readonly subscriptions = new Map<object, Subscription>();
	private timer: NodeJS.Timeout | undefined;
	/** Subscriptions allowed per user and in all; `subscribe` refuses more. */
	limits: SubscriptionLimits = { perUser: Infinity, total: Infinity };

	constructor(
		private readonly nodeId: string,
		readonly maxPerSecond: number,
		readonly payloads: boolean,
		private readonly onError: (err: unknown) => void
	) {}

	subscribe(key: object, subscriber: LogSubscriber): void {
		if (!this.subscriptions.has(key)) {
			checkSubscriptionLimits(this.subscriptions.values(), subscriber.principal, this.limits);
		}
		this.subscriptions.set(key, { ...subscriber, entries: [], dropped: 0, windowStart: 0, inWindow: 0 });
		this.active = true;
		if (!this.timer) {
			this.timer = setInterval(() => this.flush(), FLUSH_MS);
			this.timer.unref();
		}
	}

	get size(): number {
		return this.subscriptions.size;
	}

	unsubscribe(key: object): void {
		this.subscriptions.delete(key);
		if (this.subscriptions.size === 0) this.stop();
	}

	record(direction: 'in' | 'out', state: SocketState, event: string, bytes: number, args: string | unknown[]): void {
		const now = Date.now();
		let entry: LogEntry | undefined;
		for (const sub of this.subscriptions.values()) {
			if (!this.matches(sub, state, event)) continue;
			if (now - sub.windowStart >= 1000) {
				sub.windowStart = now;
				sub.inWindow = 0;
			}
			if (sub.inWindow >= this.maxPerSecond) {
				sub.dropped++;
				continue;
			}
			sub.inWindow++;
			entry ??= this.entry(now, direction, state, event, bytes, args);
			sub.entries.push(entry);
		}
	}

	private matches(sub: Subscription, state: SocketState, event: string): boolean {
		const f = sub.filter;
		const namespace = state.stats.name;
		return (
			canSee(sub.principal, namespace) &&
			(f.namespace === undefined || f.namespace === namespace) &&
			(f.socket === undefined || f.socket === state.socket.id) &&
			(f.event === undefined || f.event === event) &&
			(f.room === undefined || state.socket.rooms.has(f.room))
		);
	}

	private entry(
		t: number,
		direction: 'in' | 'out',
		state: SocketState,
		event: string,
		bytes: number,
		args: string | unknown[]
	): LogEntry {
		const entry: LogEntry = {
			t,
			nodeId: this.nodeId,
			direction,
			namespace: state.stats.name,
			socket: state.socket.id,
			event: truncateName(event),
			bytes
		};
		if (this.payloads) entry.args = preview(args);
		return entry;
	}

	private flush(): void {
		for (const sub of this.subscriptions.values()) {
			if (sub.entries.length === 0 && sub.dropped === 0) continue;
			const batch: LogBatch = { entries: sub.entries, dropped: sub.dropped };
			sub.entries = [];
			sub.dropped = 0;
			try {
				sub.send(batch);
			} catch (err) {
				this.onError(err);
			}
		}
	}

	stop(): void {
		this.active = false;
		this.subscriptions.clear();
		clearInterval(this.timer);
		this.timer = undefined;
	}
}

/**
 * The arguments as truncated JSON: as read from the wire, or the first few as handed to a hook
 * (then acknowledgement callbacks and undefined are left out).
 */
function preview(args: string | unknown[]): string {
	if (typeof args === 'string') return truncateName(args, MAX_LOG_ARGS_TEXT);
	const shown = args.filter((a) => a !== undefined && typeof a !== 'function');
	let text: string;
	try {
		text = JSON.stringify(shown, (_key, value) =>
			typeof value === 'bigint' ? String(value) : Buffer.isBuffer(value) ? `<${value.length} bytes>` : value
		);
	} catch {
		text = '[unserializable]';
	}
	return truncateName(text, MAX_LOG_ARGS_TEXT);
}
