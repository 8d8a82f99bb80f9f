/**
 * The live event log: dashboards subscribe with a filter and receive one batch a second. The log is
 * about events, not recipients (DESIGN.md, decision 8): a broadcast is one entry with its rooms and
 * deliveries, and identical (namespace, direction, event) entries within the second fold into one
 * row with a count. Only rows beyond the per-dashboard cap are dropped, and counted. While nobody
 * is subscribed the hooks skip the log with one boolean check.
 */
import type { LogBatch, LogEntry, LogFilter, Principal } from '../../protocol/models.js';
import { MAX_LOG_ARGS_TEXT } from '../../protocol/limits.js';
import { truncateName } from '../../protocol/top-n.js';
import type { EventTap } from '../observe/collectors/engine.js';
import type { BroadcastTap, BroadcastTarget } from '../observe/collectors/namespaces.js';
import type { NamespaceStats, SocketState } from '../observe/model.js';
import { canSee } from '../base/scope.js';
import { AgentError } from '../base/errors.js';

const FLUSH_MS = 1000;
/** Rooms listed in a broadcast entry; a broadcast to more says how many more. */
const MAX_ROOMS_SHOWN = 8;
/** socket.io's packet types that carry an event. */
const EVENT_TYPES = new Set([2, 5]);

export interface LogSubscriber {
	principal: Principal;
	filter: LogFilter;
	send(batch: LogBatch): void;
}

/** The rows of one second, by namespace, then kind, then event name: where an entry folds. */
type Groups = Map<string, Record<'in' | 'out' | 'broadcast', Map<string, LogEntry>>>;

interface Subscription extends LogSubscriber {
	entries: LogEntry[];
	groups: Groups;
	dropped: number;
}

export class EventLog implements EventTap, BroadcastTap {
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
		this.subscriptions.set(key, { ...subscriber, entries: [], groups: new Map(), dropped: 0 });
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

	record(
		direction: 'in' | 'out',
		state: SocketState,
		event: string,
		bytes: number,
		args: string | unknown[],
		delivery = false
	): void {
		const namespace = state.stats.name;
		const socket = state.socket.id;
		for (const sub of this.subscriptions.values()) {
			// A broadcast's copy to one recipient: the broadcast's own entry stands for it, except in
			// a socket's own view, which shows what that socket received.
			if (delivery && sub.filter.socket === undefined) continue;
			const f = sub.filter;
			if (
				!canSee(sub.principal, namespace) ||
				(f.namespace !== undefined && f.namespace !== namespace) ||
				(f.direction !== undefined && f.direction !== direction) ||
				(f.socket !== undefined && f.socket !== socket) ||
				(f.event !== undefined && f.event !== event) ||
				(f.room !== undefined && !state.socket.rooms.has(f.room))
			) {
				continue;
			}
			const folded = this.fold(sub, namespace, direction, event, bytes);
			if (folded === null) continue;
			folded.socket = socket;
			if (this.payloads) folded.args = preview(args);
		}
	}

	broadcast(
		stats: NamespaceStats,
		packet: { type: number; data?: unknown[] },
		opts: BroadcastTarget,
		recipients: number
	): void {
		if (!EVENT_TYPES.has(packet.type) || !Array.isArray(packet.data)) return;
		const event = String(packet.data[0]);
		const namespace = stats.name;
		const rooms = [...opts.rooms];
		// `socket.to(…)` and `socket.broadcast` leave out the sender's own room, named by its id.
		let sender = '';
		const except: string[] = [];
		for (const room of opts.except ?? []) {
			if (sender === '' && stats.nsp.sockets.has(room)) sender = room;
			else except.push(room);
		}
		let each = -1;
		for (const sub of this.subscriptions.values()) {
			const f = sub.filter;
			if (
				!canSee(sub.principal, namespace) ||
				(f.namespace !== undefined && f.namespace !== namespace) ||
				f.direction === 'in' ||
				(f.socket !== undefined && f.socket !== sender) ||
				(f.event !== undefined && f.event !== event) ||
				(f.room !== undefined && !opts.rooms.has(f.room))
			) {
				continue;
			}
			if (each === -1) each = approximateBytes(namespace, packet.data);
			const folded = this.fold(sub, namespace, 'broadcast', event, each * recipients);
			if (folded === null) continue;
			folded.socket = sender;
			if (folded.broadcast) {
				folded.broadcast.recipients += recipients;
				continue;
			}
			folded.broadcast = {
				rooms: rooms.slice(0, MAX_ROOMS_SHOWN).map((room) => truncateName(room)),
				except: except.slice(0, MAX_ROOMS_SHOWN).map((room) => truncateName(room)),
				recipients
			};
			if (rooms.length > MAX_ROOMS_SHOWN)
				folded.broadcast.rooms.push(`… ${rooms.length - MAX_ROOMS_SHOWN} more`);
			if (this.payloads) folded.args = preview(packet.data.slice(1));
		}
	}

	/**
	 * The row this entry belongs to in the subscriber's current second: an existing one, its count
	 * raised (returns null: nothing more to set), or a new one (returned, to fill in), or null when
	 * the cap leaves it out.
	 */
	private fold(
		sub: Subscription,
		namespace: string,
		kind: 'in' | 'out' | 'broadcast',
		event: string,
		bytes: number
	): LogEntry | null {
		let byKind = sub.groups.get(namespace);
		if (byKind === undefined) {
			byKind = { in: new Map(), out: new Map(), broadcast: new Map() };
			sub.groups.set(namespace, byKind);
		}
		const existing = byKind[kind].get(event);
		if (existing !== undefined) {
			existing.count = (existing.count ?? 1) + 1;
			existing.bytes += bytes;
			if (kind === 'broadcast') return existing;
			return null;
		}
		if (sub.entries.length >= this.maxPerSecond) {
			sub.dropped++;
			return null;
		}
		const entry: LogEntry = {
			t: Date.now(),
			nodeId: this.nodeId,
			direction: kind === 'in' ? 'in' : 'out',
			namespace,
			socket: '',
			event: truncateName(event),
			bytes
		};
		byKind[kind].set(event, entry);
		sub.entries.push(entry);
		return entry;
	}

	private flush(): void {
		for (const sub of this.subscriptions.values()) {
			if (sub.entries.length === 0 && sub.dropped === 0) continue;
			const batch: LogBatch = { entries: sub.entries, dropped: sub.dropped };
			sub.entries = [];
			sub.groups = new Map();
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

/** A packet's size on the wire, near enough: its JSON, with binary parts counted by their length. */
function approximateBytes(namespace: string, data: unknown[]): number {
	try {
		const text = JSON.stringify(data, (_key, value) =>
			Buffer.isBuffer(value) || value instanceof ArrayBuffer
				? ''
				: typeof value === 'bigint'
					? String(value)
					: value
		);
		return Buffer.byteLength(text) + (namespace === '/' ? 2 : namespace.length + 3);
	} catch {
		return 0;
	}
}

/**
 * The arguments as truncated JSON: as read from the wire, or the first few as handed to a hook
 * (then acknowledgement callbacks and undefined are left out).
 */
function preview(args: string | unknown[]): string {
	if (typeof args === 'string') return truncateName(args, MAX_LOG_ARGS_TEXT);
	const shown = args.slice(0, 3).filter((a) => a !== undefined && typeof a !== 'function');
	let text: string;
	try {
		text = JSON.stringify(shown, (_key, value) =>
			typeof value === 'bigint'
				? String(value)
				: Buffer.isBuffer(value)
					? `<${value.length} bytes>`
					: value
		);
	} catch {
		text = '[unserializable]';
	}
	return truncateName(text, MAX_LOG_ARGS_TEXT);
}

export interface SubscriptionLimits {
	perUser: number;
	total: number;
}

/** Throws `E_RATE_LIMITED` when `principal` may not add a subscription to those held now. */
export function checkSubscriptionLimits(
	held: Iterable<{ principal: Principal }>,
	principal: Principal,
	limits: SubscriptionLimits
): void {
	let total = 0;
	let own = 0;
	for (const sub of held) {
		total++;
		if (sub.principal.name === principal.name) own++;
	}
	if (own >= limits.perUser || total >= limits.total) {
		const whose = own >= limits.perUser ? `${principal.name} holds` : 'this server holds';
		throw new AgentError(
			'E_RATE_LIMITED',
			`${whose} as many live event logs as allowed; close one first`,
			10
		);
	}
}
