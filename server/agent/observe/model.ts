/**
 * The per-node model: cumulative counters per namespace and per event name, and a small record per
 * socket and per engine connection. Hooks only bump these; the sampler reads them once a second.
 */
import { performance } from 'node:perf_hooks';
import type { Namespace, Socket } from 'socket.io';
import type { Transport, TransportCounts } from '../../protocol/models.js';
import { emptyTransportCounts } from '../../protocol/samples.js';
import { Histogram } from './rtt-histogram.js';
import type { AckTotals } from './collectors/ack-table.js';
import { ConnectionErrors } from './collectors/connection-errors.js';
import { eventName, hasEventName, isPlainName, isReservedName } from './wire-format.js';
import { RoomTraffic } from './room-traffic.js';
import { EventCounter, EventNames, type EventNameRules, type NameBudget } from './event-names.js';

export { EventCounter };

/** Cumulative figures of one namespace. */
export class NamespaceStats {
	/** New sockets; a recovered session is counted in `recovered` instead, as the same socket continuing. */
	connects = 0;
	refused = 0;
	disconnects = 0;
	/**
	 * Sessions recovered (connection state recovery, socket.io ≥ 4.6): the transport dropped (one
	 * disconnect, with its reason) and the client came back as the same socket, same id and rooms.
	 */
	recovered = 0;
	readonly reasons = new Map<string, number>();
	eventsIn = 0;
	eventsOut = 0;
	bytesIn = 0;
	bytesOut = 0;
	broadcasts = 0;
	broadcastRecipients = 0;
	joins = 0;
	leaves = 0;
	readonly transports: TransportCounts = emptyTransportCounts();
	/** Rooms other than the sockets' own private rooms; sizes are read from the adapter. */
	readonly publicRooms = new Set<string>();
	/**
	 * The records of the namespace's watched sockets, side by side and in no order: a query over
	 * every socket reads these in a row, where finding each socket's record through its connection
	 * (the socket, its connection, a `WeakMap` entry, the record) touched several scattered objects
	 * a socket, with caches cold between queries.
	 */
	readonly states: SocketState[] = [];
	/** Event names counted apart, bounded in length, number and bytes (see event-names.ts). */
	readonly names: EventNames;
	/** Broadcasts and deliveries per target room, bounded like the event names (room-traffic.ts). */
	readonly roomTraffic: RoomTraffic;
	/** The counter matched last by `eventAt`, compared in place before anything is allocated. */
	private recent: EventCounter | null = null;

	constructor(
		readonly nsp: Namespace,
		rules: EventNameRules
	) {
		this.names = new EventNames(rules);
		this.roomTraffic = new RoomTraffic(rules, (room) => nsp.sockets.has(room));
	}

	get events(): ReadonlyMap<string, EventCounter> {
		return this.names.map;
	}

	get name(): string {
		return this.nsp.name;
	}

	/** The counter of an event name; names beyond the cap share one, so memory stays bounded. */
	event(name: string): EventCounter {
		return this.names.get(name);
	}

	/**
	 * The counter of the event named in an encoded packet (see wire.ts): `payload` is where its JSON
	 * array starts, `end` where the name ends. A chat's stream of the same event costs no allocation.
	 * Null for a name socket.io refuses to deliver (a reserved one): that packet is not counted.
	 */
	eventAt(data: string, payload: number, end: number): EventCounter | null {
		const recent = this.recent;
		if (recent !== null && recent.live && hasEventName(data, payload, recent.name)) return recent;
		if (isReservedName(data, payload)) return null;
		const counter = this.event(eventName(data, payload, end));
		if (counter !== this.names.other && isPlainName(data, payload, end)) this.recent = counter;
		return counter;
	}

	/** Every counter, including the one for names beyond the cap once it has been used. */
	eventCounters(): Iterable<EventCounter> {
		return this.names.counters();
	}

	addState(s: SocketState): void {
		s.index = this.states.push(s) - 1;
	}

	/** Removes a record in O(1): the last one takes its place. */
	removeState(s: SocketState): void {
		if (this.states[s.index] !== s) return;
		const last = this.states.pop()!;
		if (last !== s) {
			this.states[s.index] = last;
			last.index = s.index;
		}
		s.index = -1;
	}

	countDisconnect(reason: string): void {
		this.disconnects++;
		// socket.io's reasons are a short fixed list; the cap only guards against a custom adapter.
		if (this.reasons.has(reason) || this.reasons.size < 32) {
			this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
		}
	}
}

const PING_CLOCK_WRAP = 2 ** 30;

/** Now, in microseconds modulo 2^30: a small integer, for `ConnState.pingAt`. */
export function pingClock(): number {
	return Math.round(performance.now() * 1000) % PING_CLOCK_WRAP;
}

/** Milliseconds since `pingClock()` read `then`, for spans shorter than the clock's wrap. */
export function msSincePing(then: number): number {
	// Both readings are in [0, 2^30): their difference is above -2^30, one wrap puts it in range.
	return ((pingClock() - then + PING_CLOCK_WRAP) % PING_CLOCK_WRAP) / 1000;
}

/** The agent's record of one engine.io connection (shared by that client's namespaces). */
export class ConnState {
	/** The watched sockets of this connection, linked through `SocketState.next`: usually one. */
	first: SocketState | null = null;
	/**
	 * When the last ping was written, in microseconds on a clock that wraps every 2^30 µs (about 18
	 * minutes; `pingClock()`); -1 once answered. Both figures are kept as small integers: V8 stores
	 * a number field that ever held a fraction as a separate 16-byte box, two per connection.
	 */
	pingAt = -1;
	/** Last heartbeat round-trip in hundredths of a millisecond, as shown; -1 before the first pong. */
	private rttHundredths = -1;
	/** The transport before the upgrade, if there was one. */
	upgradedFrom: Transport | null = null;

	constructor(public transport: Transport) {}

	/** Last heartbeat round-trip in milliseconds, to a hundredth; -1 before the first pong. */
	get rtt(): number {
		return this.rttHundredths < 0 ? -1 : this.rttHundredths / 100;
	}

	set rtt(ms: number) {
		this.rttHundredths = ms < 0 ? -1 : Math.round(ms * 100);
	}

	/** Transports in the order used, e.g. `['polling', 'websocket']`. */
	get transports(): Transport[] {
		return this.upgradedFrom ? [this.upgradedFrom, this.transport] : [this.transport];
	}

	add(s: SocketState): void {
		s.next = this.first;
		this.first = s;
	}

	remove(s: SocketState): void {
		if (this.first === s) {
			this.first = s.next;
			return;
		}
		for (let prev = this.first; prev !== null; prev = prev.next) {
			if (prev.next === s) {
				prev.next = s.next;
				return;
			}
		}
	}

	/** The watched socket of this connection in a namespace. */
	socketIn(stats: NamespaceStats): SocketState | null {
		let s = this.first;
		while (s !== null && s.stats !== stats) s = s.next;
		return s;
	}
}

/**
 * The agent's record of one socket: its traffic, beside what the socket itself holds. Kept small
 * on purpose — there is one per connected socket — and found through its connection, not a map.
 */
export class SocketState {
	eventsIn = 0;
	eventsOut = 0;
	bytesIn = 0;
	bytesOut = 0;
	next: SocketState | null = null;
	/** Where this record is in its namespace's `states`; -1 once removed. */
	index = -1;
	/** Acknowledgements answered and awaited, made on the socket's first acked event. */
	acks: AckTotals | null = null;
	/** The host's `label` for this socket, computed on first read; undefined until then. */
	label: string | null | undefined = undefined;

	constructor(
		readonly socket: Socket,
		readonly stats: NamespaceStats,
		readonly conn: ConnState
	) {}

	get connectedAt(): number {
		return this.socket.handshake.issued;
	}
}

export class NodeModel {
	readonly namespaces = new Map<string, NamespaceStats>();
	/** Bytes of event names held by all namespaces together. */
	readonly nameBudget: NameBudget = { used: 0, max: 1 << 20 };
	/** Every engine.io connection seen, keyed by the engine's own socket object. */
	readonly conns = new WeakMap<object, ConnState>();
	/** Heartbeat RTT of every connection that has answered a ping: its latest value. */
	readonly rtt = new Histogram();
	/** Sockets being watched (a WeakMap cannot say). */
	watched = 0;
	/** Transport upgrades and heartbeat round-trips measured so far: a live window's cue to look. */
	upgrades = 0;
	rttReadings = 0;
	/** `connect_error` answers to a namespace that does not exist. */
	invalidNamespaces = 0;
	/** Connections refused by middleware or failed at the engine, by code. */
	readonly connectionErrors = new ConnectionErrors();

	statsOf(nsp: Namespace): NamespaceStats | undefined {
		const stats = this.namespaces.get(nsp.name);
		return stats && stats.nsp === nsp ? stats : undefined;
	}

	/** The namespaces of every watched socket on the connection of socket `id`; null if not here. */
	connectionNamespaces(namespace: string, id: string): string[] | null {
		const socket = this.namespaces.get(namespace)?.nsp.sockets.get(id);
		const conn = socket && this.conns.get(socket.conn);
		if (!conn) return null;
		const names: string[] = [];
		for (let s = conn.first; s !== null; s = s.next) names.push(s.stats.name);
		return names;
	}

	/** The agent's record of a socket, if it is watched. */
	stateOf(socket: Socket): SocketState | null {
		const conn = this.conns.get(socket.conn);
		if (conn === undefined) return null;
		let s = conn.first;
		while (s !== null && s.socket !== socket) s = s.next;
		return s;
	}
}
