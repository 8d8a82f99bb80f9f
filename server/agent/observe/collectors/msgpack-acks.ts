/**
 * Acknowledgements and refused connections read from the packets of socket.io-msgpack-parser
 * (msgpack-format.ts), which the engine collector hands here as they pass. With that parser the
 * socket hooks count the events (sockets.ts), but they never see ack ids, nor the connect_error
 * of a connection that never became a socket; the packets carry both.
 *
 * A packet without an id costs a few byte comparisons and no allocation. An acknowledged event's
 * name is compared in place with the previous one's and decoded only when it differs.
 */
import type { ConnState, EventCounter, NodeModel, SocketState } from '../model.js';
import {
	MSGPACK_ACK,
	MSGPACK_CONNECT_ERROR,
	MSGPACK_EVENT,
	MsgpackPacket
} from '../msgpack-format.js';
import type { AckTracker } from './acks.js';

type Direction = 'in' | 'out';

/** Reads one binary packet that went `direction` on a connection. */
export type BinaryPacketReader = (
	conn: ConnState,
	remoteAddress: string | undefined,
	data: Uint8Array,
	direction: Direction
) => void;

export interface MsgpackReaderDeps {
	model: NodeModel;
	adminNamespace: string;
	/** Absent when `ackTimeout: false` turns ack timing off. */
	acks?: AckTracker;
}

export function createMsgpackReader({
	model,
	adminNamespace,
	acks
}: MsgpackReaderDeps): BinaryPacketReader {
	const packets = { in: new MsgpackPacket(), out: new MsgpackPacket() };
	// The counter found last per direction, and its namespace: a chat's stream of one event.
	const last = {
		in: { stats: null as unknown, counter: null as EventCounter | null },
		out: { stats: null as unknown, counter: null as EventCounter | null }
	};

	function counterOf(s: SocketState, p: MsgpackPacket, direction: Direction): EventCounter | null {
		if (p.nameStart === -1) return null;
		const seen = last[direction];
		const known = seen.counter;
		if (seen.stats === s.stats && known !== null && known.live && p.hasName(known.name))
			return known;
		const counter = s.stats.event(p.name());
		seen.stats = s.stats;
		seen.counter = counter === s.stats.names.other ? null : counter;
		return counter;
	}

	function refused(remoteAddress: string | undefined, p: MsgpackPacket): void {
		if (p.isFor(adminNamespace)) return;
		const address = remoteAddress ?? '';
		for (const stats of model.namespaces.values()) {
			if (!p.isFor(stats.name)) continue;
			stats.refused++;
			model.connectionErrors.refusedWith(p.errorMessage(), address, stats.name);
			return;
		}
		model.invalidNamespaces++;
		model.connectionErrors.refusedWith(undefined, address);
	}

	return (conn, remoteAddress, data, direction) => {
		const p = packets[direction];
		try {
			if (p.read(data)) readPacket(conn, remoteAddress, p, direction);
		} finally {
			p.release();
		}
	};

	function readPacket(
		conn: ConnState,
		remoteAddress: string | undefined,
		p: MsgpackPacket,
		direction: Direction
	): void {
		if (p.type === MSGPACK_CONNECT_ERROR) {
			if (direction === 'out') refused(remoteAddress, p);
			return;
		}
		if (acks === undefined || (p.type !== MSGPACK_EVENT && p.type !== MSGPACK_ACK) || !p.mayHaveId)
			return;
		let s = conn.first;
		while (s !== null && !p.isFor(s.stats.name)) s = s.next;
		if (s === null || p.id === -1) return;
		if (p.type === MSGPACK_ACK) {
			acks.answered(s, direction, p.id);
			return;
		}
		const counter = counterOf(s, p, direction);
		if (counter !== null) acks.sent(s, counter, direction, p.id);
	}
}
