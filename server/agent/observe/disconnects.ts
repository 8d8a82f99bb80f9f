/**
 * The record of recent disconnects: a ring of the last `keep` sockets that disconnected on this
 * node, each kept as what it was when it went. Written once per disconnect, from what the agent
 * already holds of the socket (its record, its connection, socket.io's own rooms and handshake),
 * so watching a live socket costs nothing more; read by the dashboards' queries, never on a packet.
 */
import { DISCONNECT_ROOMS, MAX_FILTER_TEXT, MAX_ROOM_NAME } from '../../protocol/limits.js';
import type { DisconnectEntry, DisconnectKick, Transport } from '../../protocol/models.js';
import { truncateName } from '../../protocol/top-n.js';
import { describeDisconnect } from '../../protocol/vocabulary.js';
import type { SocketState } from './model.js';
import type { Labeller } from './socket-label.js';

/** Room names kept with a disconnect are cut to this: a room's name is chosen by the app or its clients. */
const MAX_ROOM_KEPT = 64;
/** A user agent is chosen by its client; an address by a proxy's header at worst. */
const MAX_USER_AGENT = 256;
const MAX_ADDRESS = 64;
const MAX_ID = 64;
const MAX_KICKER = 128;
/**
 * Kicks waiting for their socket to go: a kick names its sockets before socket.io disconnects
 * them (or, on another node, whenever the note arrives), so the note waits here. Bounded in
 * number and in age: a paced room disconnect (`rate`) may take a while, a lost kick not forever.
 */
const MAX_PENDING_KICKS = 4096;
const KICK_TTL_MS = 120_000;
/**
 * A kick's note may reach this node after its socket went (the note and the disconnect travel
 * apart in a cluster): entries this recent are still given the note.
 */
const LATE_KICK_MS = 10_000;

interface PendingKick extends DisconnectKick {
	at: number;
}

export interface DisconnectRecordOptions {
	/** Disconnects kept; the oldest is dropped for a new one. */
	keep: number;
	nodeId: string;
	label: Labeller;
	/** Whether the redaction rules show the `user-agent` header; hidden, it is not kept at all. */
	showUserAgent: boolean;
}

export class DisconnectRecord {
	/** The ring, oldest overwritten first; `next` is where the next entry goes. */
	private readonly ring: (DisconnectEntry | undefined)[];
	private next = 0;
	private count = 0;
	private seq = 0;
	private readonly pending = new Map<string, PendingKick>();
	/** Bumped on every write: a reader knows when what it read may have changed. */
	writes = 0;

	constructor(private readonly opts: DisconnectRecordOptions) {
		this.ring = new Array<DisconnectEntry | undefined>(opts.keep);
	}

	get size(): number {
		return this.count;
	}

	get capacity(): number {
		return this.ring.length;
	}

	/** Kicks awaiting their socket's disconnect (kept for `inspect()`). */
	get pendingKicks(): number {
		return this.pending.size;
	}

	/**
	 * Keeps a socket that is disconnecting, with socket.io's reason. Called on `disconnecting`,
	 * while socket.io still holds the socket's rooms.
	 */
	add(s: SocketState, reason: string, now = Date.now()): void {
		const { socket, conn } = s;
		const rooms: string[] = [];
		let roomCount = 0;
		for (const room of socket.rooms) {
			if (room === socket.id) continue;
			roomCount++;
			if (rooms.length < DISCONNECT_ROOMS) rooms.push(truncateName(room, MAX_ROOM_KEPT));
		}
		const acks = s.acks;
		const agent = socket.handshake.headers['user-agent'];
		const namespace = truncateName(s.stats.name, MAX_ROOM_NAME);
		const id = truncateName(socket.id, MAX_ID);
		// Every field set in the same order, none added later: one hidden class for every entry,
		// its fields in the object itself. Absent ones are undefined, which JSON leaves out.
		const entry: DisconnectEntry = {
			t: now,
			key: `${this.opts.nodeId}#${(this.seq++).toString(36).padStart(8, '0')}`,
			nodeId: this.opts.nodeId,
			id,
			label: this.opts.label(s),
			namespace,
			address: truncateName(String(socket.handshake.address ?? ''), MAX_ADDRESS),
			userAgent:
				this.opts.showUserAgent && typeof agent === 'string'
					? truncateName(agent, MAX_USER_AGENT)
					: '',
			rooms: rooms.length === 0 ? NO_ROOMS : rooms,
			roomCount,
			connectedAt: s.connectedAt,
			duration: Math.max(0, now - s.connectedAt),
			transport: conn.transport,
			transports: transportsOf(conn.upgradedFrom, conn.transport),
			rtt: conn.rtt >= 0 ? Math.round(conn.rtt * 100) / 100 : null,
			eventsIn: s.eventsIn,
			eventsOut: s.eventsOut,
			bytesIn: s.bytesIn,
			bytesOut: s.bytesOut,
			acks:
				acks === null
					? undefined
					: {
							answered: acks.inCount + acks.outCount,
							timeouts: acks.inTimeouts + acks.outTimeouts,
							awaited: acks.slots?.size ?? 0
						},
			reason: truncateName(reason, MAX_FILTER_TEXT),
			description: describeDisconnect(reason),
			kick: this.takeKick(namespace, id, now)
		};
		this.ring[this.next] = entry;
		this.next = (this.next + 1) % this.ring.length;
		if (this.count < this.ring.length) this.count++;
		this.writes++;
	}

	/**
	 * A dashboard kicked these sockets of `namespace`: their disconnects will carry who and why.
	 * A socket already gone (the note arrived late, from another node) is given it now.
	 */
	kicked(namespace: string, ids: readonly string[], by: string, reason?: string, now = Date.now()): void {
		const kick: PendingKick = {
			by: truncateName(by, MAX_KICKER),
			...(reason !== undefined && reason !== '' && { reason: truncateName(reason, MAX_FILTER_TEXT) }),
			at: now
		};
		this.expireKicks(now);
		for (const id of ids) {
			const late = this.recentEntry(namespace, id, now);
			if (late) {
				late.kick = { by: kick.by, ...(kick.reason !== undefined && { reason: kick.reason }) };
				this.writes++;
				continue;
			}
			const key = kickKey(namespace, id);
			// Re-inserted, so the map's order stays the order of age.
			this.pending.delete(key);
			if (this.pending.size >= MAX_PENDING_KICKS) {
				this.pending.delete(this.pending.keys().next().value as string);
			}
			this.pending.set(key, kick);
		}
	}

	/** Every entry, newest first. */
	*newestFirst(): IterableIterator<DisconnectEntry> {
		const n = this.ring.length;
		for (let i = 1; i <= this.count; i++) {
			const entry = this.ring[(this.next - i + n) % n];
			if (entry !== undefined) yield entry;
		}
	}

	clear(): void {
		this.ring.fill(undefined);
		this.next = 0;
		this.count = 0;
		this.pending.clear();
	}

	private takeKick(namespace: string, id: string, now: number): DisconnectKick | undefined {
		if (this.pending.size === 0) return undefined;
		const key = kickKey(namespace, id);
		const kick = this.pending.get(key);
		if (kick === undefined) return undefined;
		this.pending.delete(key);
		if (now - kick.at > KICK_TTL_MS) return undefined;
		return { by: kick.by, ...(kick.reason !== undefined && { reason: kick.reason }) };
	}

	/** The entry of a socket that went in the last few seconds and carries no kick yet. */
	private recentEntry(namespace: string, id: string, now: number): DisconnectEntry | undefined {
		for (const entry of this.newestFirst()) {
			if (now - entry.t > LATE_KICK_MS) return undefined;
			if (entry.id === id && entry.namespace === namespace && entry.kick === undefined) {
				return entry;
			}
		}
		return undefined;
	}

	private expireKicks(now: number): void {
		for (const [key, kick] of this.pending) {
			// In order of age: the first young one ends the sweep.
			if (now - kick.at <= KICK_TTL_MS) return;
			this.pending.delete(key);
		}
	}
}

const NO_ROOMS: string[] = [];
/** The transport lists are few: shared, not made per entry. */
const TRANSPORT_LISTS = new Map<string, Transport[]>();

function transportsOf(from: Transport | null, to: Transport): Transport[] {
	const name = from === null ? to : `${from}>${to}`;
	let list = TRANSPORT_LISTS.get(name);
	if (list === undefined) {
		list = from === null ? [to] : [from, to];
		TRANSPORT_LISTS.set(name, list);
	}
	return list;
}

function kickKey(namespace: string, id: string): string {
	return `${namespace}#${id}`;
}

/**
 * One node's part of a client's disconnect patterns (`disconnects:patterns`), merged over the
 * nodes by the one asked: counts, and the sessions behind them as `[t, duration]`, newest first.
 */
export interface DisconnectPatternsPart {
	since: number;
	total: number;
	byReason: Record<string, number>;
	namespaces: Record<string, number>;
	sessions: [number, number][];
}
