/**
 * Engine-level hooks on each client connection: wire bytes in and out, heartbeat round-trips,
 * transport upgrades, and `connect_error` answers (connections refused by middleware).
 *
 * Bytes are read here because only the engine sees the encoded packets. The socket-level hooks
 * (sockets.ts) run in the same synchronous call chain and tell which event the bytes belong to:
 * an incoming packet reaches `packet` before socket.io decodes it and calls `onAny`; an outgoing
 * event calls `onAnyOutgoing` before its packet reaches `packetCreate`.
 */
import { performance } from 'node:perf_hooks';
import type { Faults } from '../guard.js';
import { ConnState, type NodeModel } from '../model.js';
import type { Transport } from '../../protocol/models.js';

/** What the agent needs of an engine.io socket: its events and its transport's name. */
export interface EngineConn {
	transport: { name: string };
	on(event: string, listener: (...args: any[]) => void): unknown;
	off(event: string, listener: (...args: any[]) => void): unknown;
}

interface EnginePacket {
	type: string;
	data?: string | { byteLength: number };
}

const CHAR_EVENT = 50; // '2'
const CHAR_BINARY_EVENT = 53; // '5'
const CHAR_CONNECT_ERROR = 52; // '4'

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

/** What the agent needs of the engine.io server: its new connections and the current ones. */
export interface EngineServer {
	clients: Record<string, EngineConn>;
	on(event: 'connection', listener: (conn: EngineConn) => void): unknown;
	off(event: 'connection', listener: (conn: EngineConn) => void): unknown;
}

export interface EngineCollectorDeps {
	/** The engine.io server; absent until socket.io is attached to an HTTP server. */
	engine(): EngineServer | undefined;
	model: NodeModel;
	faults: Faults;
	adminNamespace: string;
	/** Called with every heartbeat round-trip, in milliseconds. */
	onRtt(ms: number): void;
}

/**
 * Two listeners per connection and a WeakMap entry: nothing to clean up when it closes, and no
 * `close` or `upgrade` listener, which would cost each connection hundreds of bytes in its
 * emitter's table. A transport upgrade is noticed on the next packet instead.
 */
export function createEngineCollector({
	engine: engineServer,
	model,
	faults,
	adminNamespace,
	onRtt
}: EngineCollectorDeps): EngineCollector {
	const conns = new WeakMap<EngineConn, ConnState>();
	let withSockets = 0;
	// A broadcast writes the same encoded string to every recipient: measure it once.
	let lastOut = '';
	let lastOutBytes = 0;

	function onPacket(this: EngineConn, packet: EnginePacket): void {
		try {
			const conn = conns.get(this);
			if (conn === undefined) return;
			if (this.transport.name !== conn.transport) noteUpgrade(conn, this.transport.name as Transport);
			if (packet.type === 'message') {
				const data = packet.data;
				if (typeof data === 'string') {
					const bytes = Buffer.byteLength(data);
					const kind = data.charCodeAt(0);
					if (kind === CHAR_EVENT || kind === CHAR_BINARY_EVENT) conn.pendingIn = bytes;
					else countControlBytes(data, bytes, 'in');
				} else if (data !== undefined) {
					// A binary attachment: it belongs to the event whose header came just before.
					conn.pendingIn += data.byteLength;
				}
			} else if (packet.type === 'pong' && conn.pingAt > 0) {
				const rtt = performance.now() - conn.pingAt;
				conn.pingAt = 0;
				if (conn.sockets.length > 0) {
					if (conn.rtt >= 0) model.rtt.remove(conn.rtt);
					model.rtt.add(rtt);
				}
				conn.rtt = rtt;
				onRtt(rtt);
			}
		} catch (err) {
			faults.record('engine packet', err);
		}
	}

	function onPacketCreate(this: EngineConn, packet: EnginePacket): void {
		try {
			const conn = conns.get(this);
			if (conn === undefined) return;
			if (packet.type === 'message') {
				const data = packet.data;
				let bytes: number;
				let last = false;
				if (typeof data === 'string') {
					if (data !== lastOut) {
						lastOut = data;
						lastOutBytes = Buffer.byteLength(data);
					}
					bytes = lastOutBytes;
					const kind = data.charCodeAt(0);
					if (kind !== CHAR_EVENT && kind !== CHAR_BINARY_EVENT) {
						countControlBytes(data, bytes, 'out');
						return;
					}
					// A plain event is one packet; a binary one keeps its target for the attachments.
					last = kind === CHAR_EVENT;
				} else if (data !== undefined) {
					bytes = data.byteLength;
				} else return;
				// Set by the onAnyOutgoing hook of the socket this packet is for; null for packets of
				// sockets the agent does not watch (its own admin namespace).
				const stats = conn.outStats;
				if (stats === null) return;
				stats.bytesOut += bytes;
				conn.outCounter!.bytesOut += bytes;
				conn.outSocket!.bytesOut += bytes;
				if (last) conn.outStats = null;
			} else if (packet.type === 'ping') {
				conn.pingAt = performance.now();
				if (this.transport.name !== conn.transport) noteUpgrade(conn, this.transport.name as Transport);
			}
		} catch (err) {
			faults.record('engine packetCreate', err);
		}
	}

	function noteUpgrade(conn: ConnState, next: Transport): void {
		for (const s of conn.sockets) {
			s.stats.transports[conn.transport]--;
			s.stats.transports[next]++;
		}
		conn.upgradedFrom = conn.transport;
		conn.transport = next;
	}

	/**
	 * Acknowledgements, connects, disconnects and connect errors: rare next to events, so reading
	 * the namespace out of the packet here costs nothing that matters.
	 */
	function countControlBytes(data: string, bytes: number, direction: 'in' | 'out'): void {
		const name = namespaceOf(data);
		if (name === adminNamespace) return;
		const stats = model.namespaces.get(name);
		if (direction === 'out' && data.charCodeAt(0) === CHAR_CONNECT_ERROR) {
			if (stats) stats.refused++;
			else model.invalidNamespaces++;
			return;
		}
		if (stats === undefined) return;
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
		for (const conn of Object.values(server.clients)) track(conn);
	}

	function track(engine: EngineConn): ConnState {
		if (!server) attach();
		let conn = conns.get(engine);
		if (conn === undefined) {
			conn = new ConnState(engine.transport.name as Transport);
			conns.set(engine, conn);
			engine.on('packet', onPacket);
			engine.on('packetCreate', onPacketCreate);
		}
		return conn;
	}

	function untrack(engine: EngineConn): void {
		engine.off('packet', onPacket);
		engine.off('packetCreate', onPacketCreate);
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
			if (conn.sockets.length !== 1) return;
			withSockets++;
			if (conn.rtt >= 0) model.rtt.add(conn.rtt);
		},
		socketRemoved(conn) {
			if (conn.sockets.length !== 0) return;
			withSockets--;
			if (conn.rtt >= 0) model.rtt.remove(conn.rtt);
		},
		get size() {
			return withSockets;
		},
		dispose() {
			server?.off('connection', onEngineConnection);
			for (const engine of Object.values(server?.clients ?? {})) untrack(engine);
			for (const stats of model.namespaces.values()) {
				for (const socket of stats.nsp.sockets.values()) untrack(socket.conn);
			}
		}
	};
}

/**
 * The namespace of an encoded socket.io packet (the engine's message payload):
 * `<type>[<attachments>-][/<nsp>,]…`.
 * Without a `/` after the header, the packet is for the main namespace.
 */
export function namespaceOf(data: string): string {
	let i = 1;
	const kind = data.charCodeAt(0);
	if (kind === CHAR_BINARY_EVENT || kind === 54 /* '6' binary ack */) {
		while (i < data.length && data.charCodeAt(i) !== 45 /* '-' */) i++;
		i++;
	}
	if (data.charCodeAt(i) !== 47 /* '/' */) return '/';
	const end = data.indexOf(',', i);
	return end === -1 ? data.slice(i) : data.slice(i, end);
}
