/**
 * Socket-level hooks: connects, disconnects by reason, and events in and out per event name.
 * Every listener is one shared function that finds its socket through `this`, so watching a socket
 * costs a record and a few listener slots, not a set of closures.
 */
import type { Socket } from 'socket.io';
import type { Faults } from '../guard.js';
import { SocketState, type NamespaceStats, type NodeModel } from '../model.js';
import type { EngineCollector } from './engine.js';

/** The live event log's view of traffic; `active` is false whenever nobody is subscribed. */
export interface EventTap {
	active: boolean;
	record(direction: 'in' | 'out', state: SocketState, event: string, bytes: number, args: unknown[]): void;
}

export interface SocketCollector {
	/** Starts watching a connected socket of a watched namespace. */
	watch(socket: Socket, stats: NamespaceStats): void;
	/** Stops watching every socket of a namespace (on `close()`). */
	unwatchAll(stats: NamespaceStats): void;
}

export function createSocketCollector(
	model: NodeModel,
	faults: Faults,
	engine: EngineCollector,
	tap: EventTap
): SocketCollector {
	// socket.io calls onAny listeners with the event and its arguments. Fixed parameters instead of a
	// rest parameter keep the hot path free of allocation; the log only shows the first arguments.
	function onIncoming(this: Socket, event: string, a?: unknown, b?: unknown, c?: unknown): void {
		try {
			const s = model.sockets.get(this);
			if (s === undefined) return;
			const bytes = s.conn.pendingIn;
			s.conn.pendingIn = 0;
			const counter = s.stats.event(event);
			counter.in++;
			counter.bytesIn += bytes;
			s.stats.eventsIn++;
			s.stats.bytesIn += bytes;
			s.eventsIn++;
			s.bytesIn += bytes;
			if (tap.active) tap.record('in', s, event, bytes, [a, b, c]);
		} catch (err) {
			faults.record('incoming event', err);
		}
	}

	function onOutgoing(this: Socket, event: string, a?: unknown, b?: unknown, c?: unknown): void {
		try {
			const s = model.sockets.get(this);
			if (s === undefined) return;
			const counter = s.stats.event(event);
			counter.out++;
			model.deliveries++;
			s.stats.eventsOut++;
			s.eventsOut++;
			// The engine hook adds the packet's bytes to these as it is written, right after this call.
			s.conn.outStats = s.stats;
			s.conn.outCounter = counter;
			s.conn.outSocket = s;
			if (tap.active) tap.record('out', s, event, 0, [a, b, c]);
		} catch (err) {
			faults.record('outgoing event', err);
		}
	}

	function onDisconnect(this: Socket, reason: string): void {
		try {
			const s = model.sockets.get(this);
			if (s === undefined) return;
			unwatch(s);
			s.stats.countDisconnect(reason);
		} catch (err) {
			faults.record('disconnect', err);
		}
	}

	function unwatch(s: SocketState): void {
		s.socket.offAny(onIncoming);
		s.socket.offAnyOutgoing(onOutgoing);
		s.socket.off('disconnect', onDisconnect);
		model.sockets.delete(s.socket);
		model.watched--;
		s.stats.transports[s.conn.transport]--;
		const i = s.conn.sockets.indexOf(s);
		if (i !== -1) s.conn.sockets.splice(i, 1);
		engine.socketRemoved(s.conn);
	}

	return {
		watch(socket, stats) {
			if (model.sockets.has(socket)) return;
			const conn = engine.track(socket.conn);
			const s = new SocketState(socket, stats, conn, socket.handshake.issued || Date.now());
			model.sockets.set(socket, s);
			model.watched++;
			conn.sockets.push(s);
			engine.socketAdded(conn);
			stats.transports[conn.transport]++;
			socket.onAny(onIncoming);
			socket.onAnyOutgoing(onOutgoing);
			socket.on('disconnect', onDisconnect);
		},
		unwatchAll(stats) {
			for (const socket of stats.nsp.sockets.values()) {
				const s = model.sockets.get(socket);
				if (s) unwatch(s);
			}
		}
	};
}
