/**
 * What a socket.io server really received and sent, second by second of the agent's event log: a
 * test's own account, taken from socket.io's and engine.io's hooks (not from the agent), to hold
 * the Events page against.
 *
 * Each event is keyed as the page keys its rows: `<namespace> <in|out|broadcast> <event>`. Events
 * read from the wire (in) and written to it (out, a socket's own emit) are taken from engine.io's
 * `packet` and `flush`, where the agent takes them; broadcasts from the adapter's `broadcast` and
 * `broadcastWithAck`, once per broadcast whatever the number of recipients. The seconds are cut
 * where the agent cuts them: at each `log:batch` it emits to the dashboard. Both hooks run in the
 * same turn of the event loop as the agent's, and a batch is cut in a timer, never inside a turn,
 * so each event is counted in the very second the agent put it in.
 */
import type { Namespace, Server } from 'socket.io';
import type { LogBatch } from '../../server/protocol/models.js';

export interface TappedSecond {
	/** The batch the agent sent the dashboard at the end of this second. */
	batch: LogBatch;
	/** Events of this second by key, each with how many times it happened. */
	events: Map<string, number>;
}

export interface TrafficTap {
	/** Every second cut so far, oldest first. */
	readonly seconds: TappedSecond[];
}

interface EnginePacket {
	type: string;
	data?: unknown;
	options?: { preEncoded?: boolean };
}

interface EngineConn {
	on(event: 'packet', listener: (packet: EnginePacket) => void): void;
}

type Broadcast = (packet: { type: number; data: unknown[] }, ...rest: unknown[]) => unknown;

/** socket.io's event packet in its default encoding: type 2, namespace, acknowledgement id, JSON. */
const EVENT_PACKET = /^2(?:(\/[^,]*),)?\d*(\[[\s\S]*)$/;
const EVENT = 2;

/** Starts counting `io`'s events outside `adminNamespace` (the agent's own). */
export function tapTraffic(io: Server, adminNamespace: string): TrafficTap {
	const seconds: TappedSecond[] = [];
	let events = new Map<string, number>();
	const add = (key: string) => events.set(key, (events.get(key) ?? 0) + 1);

	/** The key of an event packet as encoded on the wire (`2/nsp,12["event",…]`), or null. */
	const keyOf = (data: unknown, direction: 'in' | 'out'): string | null => {
		const parts = typeof data === 'string' ? EVENT_PACKET.exec(data) : null;
		if (parts === null) return null;
		const namespace = parts[1] ?? '/';
		if (namespace === adminNamespace) return null;
		return `${namespace} ${direction} ${(JSON.parse(parts[2]) as unknown[])[0]}`;
	};

	const engine = io.engine as unknown as {
		on(event: 'connection', listener: (conn: EngineConn) => void): void;
		on(event: 'flush', listener: (conn: EngineConn, packets: EnginePacket[]) => void): void;
	};
	engine.on('connection', (conn) =>
		conn.on('packet', (packet) => {
			const key = packet.type === 'message' ? keyOf(packet.data, 'in') : null;
			if (key !== null) add(key);
		})
	);
	engine.on('flush', (_conn, packets) => {
		for (const packet of packets) {
			// A broadcast's copies are encoded once for all (`preEncoded`): counted at the adapter.
			if (packet.type !== 'message' || packet.options?.preEncoded) continue;
			const key = keyOf(packet.data, 'out');
			if (key !== null) add(key);
		}
	});

	const namespaces = (io as unknown as { _nsps: Map<string, Namespace> })._nsps;
	for (const nsp of namespaces.values()) {
		if (nsp.name === adminNamespace) continue;
		const adapter = nsp.adapter as unknown as Record<'broadcast' | 'broadcastWithAck', Broadcast>;
		for (const method of ['broadcast', 'broadcastWithAck'] as const) {
			const original = adapter[method];
			adapter[method] = function (this: unknown, packet, ...rest) {
				if (packet.type === EVENT) add(`${nsp.name} broadcast ${packet.data[0]}`);
				return original.call(this, packet, ...rest);
			};
		}
	}

	io.of(adminNamespace).on('connection', (socket) =>
		socket.onAnyOutgoing((event: string, batch: LogBatch) => {
			if (event !== 'log:batch') return;
			seconds.push({ batch, events });
			events = new Map();
		})
	);
	return { seconds };
}
