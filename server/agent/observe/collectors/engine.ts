/**
 * Engine-level hooks: wire bytes and events in and out, heartbeat round-trips, transport upgrades,
 * and `connect_error` answers (connections refused by middleware).
 *
 * Everything is read from the encoded packets (wire.ts), which only the engine sees: an incoming
 * packet reaches the connection's `packet` event before socket.io decodes it, and every outgoing
 * one reaches the server's `flush` event as the transport takes it. Nothing here hooks a socket.
 */
import type { Faults } from '../../base/faults.js';
import { ConnState, msSincePing, pingClock, type EventCounter, type NamespaceStats, type NodeModel, type SocketState } from '../model.js';
import type { Transport } from '../../../protocol/models.js';
import type { AckTracker } from './acks.js';
import type { BinaryPacketReader } from './msgpack-acks.js';
import {
	TYPE_ACK,
	TYPE_BINARY_ACK,
	TYPE_BINARY_EVENT,
	TYPE_CONNECT_ERROR,
	TYPE_EVENT,
	ackIdBefore,
	argsText,
	attachmentCount,
	eventName,
	eventNameEnd,
	isForNamespace,
	namespaceOf,
	namespaceStart,
	payloadStart
} from '../wire-format.js';

type Direction = 'in' | 'out';

/** The live event log's view of traffic; `active` is false whenever nobody is subscribed. */
export interface EventTap {
	active: boolean;
	/**
	 * `args`: the arguments, or their JSON text as read from the wire. `delivery`: one recipient's
	 * copy of a broadcast, which the log shows as one entry (see `BroadcastTap`).
	 */
	record(direction: Direction, state: SocketState, event: string, bytes: number, args: string | unknown[], delivery?: boolean): void;
}

/** What the agent needs of an engine.io socket: its events and its transport's name. */
export interface EngineConn {
	transport: { name: string };
	remoteAddress?: string;
	on(event: string, listener: (...args: any[]) => void): unknown;
	off(event: string, listener: (...args: any[]) => void): unknown;
}

interface EnginePacket {
	type: string;
	data?: string | { byteLength: number };
	/** socket.io marks the packets of a broadcast, encoded once for every recipient, `preEncoded`. */
	options?: { preEncoded?: boolean };
}

export interface EngineCollector {
	/** The record of a connection, hooking it on first sight. */
	track(conn: EngineConn): ConnState;
	/** A socket of the connection is now watched: its heartbeat counts in the RTT figures. */
	socketAdded(conn: ConnState): void;
	/** A socket of the connection left; with the last one, its heartbeat leaves the RTT figures. */
	socketRemoved(conn: ConnState): void;
	/** Connections with watched sockets. */
	readonly size: number;
	dispose(): void;
}

/** What the agent needs of the engine.io server: its connections, and the packets it writes. */
export interface EngineServer {
	clients: Record<string, EngineConn>;
	on(event: 'connection', listener: (conn: EngineConn) => void): unknown;
	on(event: 'flush', listener: (conn: EngineConn, packets: EnginePacket[]) => void): unknown;
	on(event: 'connection_error', listener: (err: unknown) => void): unknown;
	off(event: 'connection' | 'flush' | 'connection_error', listener: (...args: any[]) => void): unknown;
}

export interface EngineCollectorDeps {
	/** The engine.io server; absent until socket.io is attached to an HTTP server. */
	engine(): EngineServer | undefined;
	model: NodeModel;
	faults: Faults;
	adminNamespace: string;
	/**
	 * Whether packets are in the default parser's format (wire.ts), so that events can be read from
	 * them. With another parser only bytes are counted here, and events by the socket hooks.
	 */
	wireEvents: boolean;
	tap: EventTap;
	/** Called with every heartbeat round-trip, in milliseconds. */
	onRtt(ms: number): void;
	/** Times acknowledged events; absent when the `ackTimeout` option turns that off. */
	acks?: AckTracker;
	/** Reads acks and refusals from binary packets: with the msgpack parser (msgpack-acks.ts). */
	readBinary?: BinaryPacketReader;
}

/** An event whose binary attachments are still to come, in one direction of one connection. */
interface PendingAttachments {
	socket: SocketState;
	counter: EventCounter;
	remaining: number;
}

/**
 * The event packet read last in one direction. Kept for the next one: a broadcast hands the same
 * encoded string to every recipient, so it is read, measured and looked up once.
 */
class LastEvent {
	data = '';
	bytes = 0;
	stats: NamespaceStats | null = null;
	counter: EventCounter | null = null;
	payload = 0;
	end = 0;
	/** The packet's acknowledgement id, or -1. */
	ackId = -1;

	/** The watched socket of `conn` the event packet is for, or null (another namespace, or malformed). */
	read(conn: ConnState, data: string): SocketState | null {
		if (data === this.data && this.stats !== null && this.counter!.live) return conn.socketIn(this.stats);
		const at = namespaceStart(data);
		let s = conn.first;
		while (s !== null && !isForNamespace(data, at, s.stats.name)) s = s.next;
		if (s === null) return null;
		const payload = payloadStart(data, at);
		const end = payload === -1 ? -1 : eventNameEnd(data, payload);
		if (end === -1) return null;
		// A name socket.io refuses (a reserved one) ends the packet there: it is not an event.
		const counter = s.stats.eventAt(data, payload, end);
		if (counter === null) return null;
		this.data = data;
		this.bytes = Buffer.byteLength(data);
		this.stats = s.stats;
		this.counter = counter;
		this.payload = payload;
		this.end = end;
		this.ackId = ackIdBefore(data, at, payload);
		return s;
	}
}

/**
 * One listener per connection (`packet`, for what it receives) and one on the server (`flush`, for
 * what every connection writes), plus a WeakMap entry: nothing to clean up when a connection
 * closes. A transport upgrade is noticed on the next packet rather than with another listener,
 * which would cost each connection its own slot in its emitter's table.
 */
export function createEngineCollector({
	engine: engineServer,
	model,
	faults,
	adminNamespace,
	wireEvents,
	tap,
	onRtt,
	acks,
	readBinary
}: EngineCollectorDeps): EngineCollector {
	const { conns, connectionErrors } = model;
	let withSockets = 0;
	const last = { in: new LastEvent(), out: new LastEvent() };
	const pending = { in: new WeakMap<ConnState, PendingAttachments>(), out: new WeakMap<ConnState, PendingAttachments>() };

	function onPacket(this: EngineConn, packet: EnginePacket): void {
		try {
			const conn = conns.get(this);
			if (conn === undefined) return;
			if (this.transport.name !== conn.transport) noteUpgrade(conn, this.transport.name as Transport);
			if (packet.type === 'message') {
				countMessage(this, conn, packet.data, 'in');
			} else if (packet.type === 'pong' && conn.pingAt >= 0) {
				const rtt = msSincePing(conn.pingAt);
				conn.pingAt = -1;
				const watched = conn.first !== null;
				if (watched && conn.rtt >= 0) model.rtt.remove(conn.rtt);
				conn.rtt = rtt;
				// The value kept (to a hundredth), so that the one removed later is the one added.
				if (watched) model.rtt.add(conn.rtt);
				model.rttReadings++;
				onRtt(rtt);
			}
		} catch (err) {
			faults.record('engine packet', err);
		}
	}

	// Every packet written to a client passes here once, whoever sent it (socket.emit, a broadcast,
	// the adapter of another node), when the transport takes it.
	function onFlush(engine: EngineConn, packets: EnginePacket[]): void {
		try {
			const conn = conns.get(engine);
			if (conn === undefined) return;
			if (engine.transport.name !== conn.transport) noteUpgrade(conn, engine.transport.name as Transport);
			for (let i = 0; i < packets.length; i++) {
				const packet = packets[i];
				if (packet.type === 'message')
					countMessage(engine, conn, packet.data, 'out', packet.options?.preEncoded === true);
				else if (packet.type === 'ping') conn.pingAt = pingClock();
			}
		} catch (err) {
			faults.record('engine flush', err);
		}
	}

	function countMessage(
		engine: EngineConn,
		conn: ConnState,
		data: EnginePacket['data'],
		direction: Direction,
		delivery = false
	): void {
		if (typeof data !== 'string') {
			if (data === undefined) return;
			if (readBinary !== undefined && data instanceof Uint8Array)
				readBinary(conn, engine.remoteAddress, data, direction);
			countBinary(conn, data.byteLength, direction);
			return;
		}
		const type = data.charCodeAt(0);
		if (!wireEvents) {
			countUnread(conn, Buffer.byteLength(data), direction);
		} else if (type === TYPE_EVENT || type === TYPE_BINARY_EVENT) {
			countEvent(conn, data, type, direction, delivery);
		} else if ((type === TYPE_ACK || type === TYPE_BINARY_ACK) && acks !== undefined) {
			countAck(conn, data, direction, acks);
		} else {
			countControlBytes(engine, data, direction);
		}
	}

	function countEvent(conn: ConnState, data: string, type: number, direction: Direction, delivery: boolean): void {
		const read = last[direction];
		const s = read.read(conn, data);
		if (s === null) return;
		const { bytes, counter } = read;
		tally(direction, s, counter!, bytes, 1);
		if (read.ackId !== -1 && acks !== undefined) acks.sent(s, counter!, direction, read.ackId);
		if (type === TYPE_BINARY_EVENT) {
			const remaining = attachmentCount(data);
			if (remaining > 0) pending[direction].set(conn, { socket: s, counter: counter!, remaining });
		}
		if (tap.active) {
			const { payload, end } = read;
			tap.record(direction, s, eventName(data, payload, end), bytes, argsText(data, payload, end), delivery);
		}
	}

	/** A binary attachment: its bytes belong to the event whose header came before it. */
	function countBinary(conn: ConnState, bytes: number, direction: Direction): void {
		const event = pending[direction].get(conn);
		if (event === undefined) {
			if (!wireEvents) countUnread(conn, bytes, direction);
			return;
		}
		tally(direction, event.socket, event.counter, bytes, 0);
		if (--event.remaining === 0) pending[direction].delete(conn);
	}

	/**
	 * Bytes of a packet in a format this agent does not read (a custom parser's): they can be given
	 * to a socket only when the connection has just one.
	 */
	function countUnread(conn: ConnState, bytes: number, direction: Direction): void {
		const s = conn.first;
		if (s !== null && s.next === null) tally(direction, s, null, bytes, 0);
	}

	/**
	 * Adds a packet's bytes, and `events` (1 for an event's first packet, 0 for its attachments), to
	 * its socket, its namespace and its event name's counter when known.
	 */
	function tally(direction: Direction, s: SocketState, counter: EventCounter | null, bytes: number, events: 0 | 1): void {
		const stats = s.stats;
		if (direction === 'in') {
			s.eventsIn += events;
			s.bytesIn += bytes;
			stats.eventsIn += events;
			stats.bytesIn += bytes;
			if (counter !== null) {
				counter.in += events;
				counter.bytesIn += bytes;
			}
		} else {
			s.eventsOut += events;
			s.bytesOut += bytes;
			stats.eventsOut += events;
			stats.bytesOut += bytes;
			if (counter !== null) {
				counter.out += events;
				counter.bytesOut += bytes;
			}
		}
	}

	function noteUpgrade(conn: ConnState, next: Transport): void {
		for (let s = conn.first; s !== null; s = s.next) {
			s.stats.transports[conn.transport]--;
			s.stats.transports[next]++;
		}
		conn.upgradedFrom = conn.transport;
		conn.transport = next;
		model.upgrades++;
	}

	/**
	 * An acknowledgement: found among the connection's sockets like an event, without allocating,
	 * since a chat may acknowledge every message. Acks of the admin namespace belong to no socket.
	 */
	function countAck(conn: ConnState, data: string, direction: Direction, tracker: AckTracker): void {
		const at = namespaceStart(data);
		let s = conn.first;
		while (s !== null && !isForNamespace(data, at, s.stats.name)) s = s.next;
		if (s === null) return;
		const bytes = Buffer.byteLength(data);
		if (direction === 'in') s.stats.bytesIn += bytes;
		else s.stats.bytesOut += bytes;
		const payload = payloadStart(data, at);
		const id = payload === -1 ? -1 : ackIdBefore(data, at, payload);
		if (id !== -1) tracker.answered(s, direction, id);
	}

	/**
	 * Connects, disconnects and connect errors (and acks when they are not timed): rare next to
	 * events, so reading the namespace out of the packet here costs nothing that matters.
	 */
	function countControlBytes(engine: EngineConn, data: string, direction: Direction): void {
		const name = namespaceOf(data);
		if (name === adminNamespace) return;
		const stats = model.namespaces.get(name);
		if (direction === 'out' && data.charCodeAt(0) === TYPE_CONNECT_ERROR) {
			if (stats) stats.refused++;
			else model.invalidNamespaces++;
			connectionErrors.refused(data, engine.remoteAddress ?? '', stats ? name : undefined);
			return;
		}
		if (stats === undefined) return;
		const bytes = Buffer.byteLength(data);
		if (direction === 'in') stats.bytesIn += bytes;
		else stats.bytesOut += bytes;
	}

	// Every connection is hooked as it opens, so that one refused by a namespace's middleware, which
	// never becomes a socket, is still counted. A server attached after instrument() is found later.
	let server: EngineServer | undefined;
	const onEngineConnection = (conn: EngineConn) => {
		try {
			track(conn);
		} catch (err) {
			faults.record('engine connection', err);
		}
	};
	function attach(): void {
		server = engineServer();
		if (!server) return;
		server.on('connection', onEngineConnection);
		server.on('flush', onFlush);
		server.on('connection_error', connectionErrors.onEngineError);
		for (const conn of Object.values(server.clients)) track(conn);
	}

	function track(engine: EngineConn): ConnState {
		if (!server) attach();
		let conn = conns.get(engine);
		if (conn === undefined) {
			conn = new ConnState(engine.transport.name as Transport);
			conns.set(engine, conn);
			engine.on('packet', onPacket);
		}
		return conn;
	}

	function untrack(engine: EngineConn): void {
		engine.off('packet', onPacket);
		conns.delete(engine);
	}

	try {
		attach();
	} catch (err) {
		faults.record('engine attach', err);
	}
	return {
		track,
		socketAdded(conn) {
			if (conn.first === null || conn.first.next !== null) return;
			withSockets++;
			if (conn.rtt >= 0) model.rtt.add(conn.rtt);
		},
		socketRemoved(conn) {
			if (conn.first !== null) return;
			withSockets--;
			if (conn.rtt >= 0) model.rtt.remove(conn.rtt);
		},
		get size() {
			return withSockets;
		},
		dispose() {
			server?.off('connection', onEngineConnection);
			server?.off('flush', onFlush);
			server?.off('connection_error', connectionErrors.onEngineError);
			for (const engine of Object.values(server?.clients ?? {})) untrack(engine);
			for (const stats of model.namespaces.values()) {
				for (const socket of stats.nsp.sockets.values()) untrack(socket.conn);
			}
		}
	};
}
