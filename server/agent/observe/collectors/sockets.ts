/**
 * Socket-level hooks: connects, and disconnects by reason (each also kept in the record of
 * disconnects, disconnects.ts). Events are read from the wire by the engine collector; only when the server's parser writes another format (msgpack, say) are they
 * counted here, with `onAny`/`onAnyOutgoing`, at the cost of two listener arrays per socket.
 * Every listener is one shared function that finds its socket through `this`, so watching a socket
 * costs a small record and a listener slot, not a set of closures.
 */
import type { Socket } from 'socket.io';
import type { Faults } from '../../base/faults.js';
import { SocketState, type NamespaceStats, type NodeModel } from '../model.js';
import type { RecoveredSessions } from '../recovered-sessions.js';
import type { DisconnectRecord } from '../disconnects.js';
import type { EngineCollector, EventTap } from './engine.js';

export interface SocketCollector {
	/** Starts watching a connected socket of a watched namespace. */
	watch(socket: Socket, stats: NamespaceStats): void;
	/** Stops watching every socket of a namespace (on `close()`). */
	unwatchAll(stats: NamespaceStats): void;
}

export interface SocketCollectorDeps {
	model: NodeModel;
	faults: Faults;
	engine: EngineCollector;
	tap: EventTap;
	/** Whether the engine collector reads events from the wire; if not, they are counted here. */
	wireEvents: boolean;
	/** Where dropped sockets' figures wait for their session's recovery; absent when recovery is off. */
	sessions?: RecoveredSessions;
	/** The record of recent disconnects; absent with `disconnects: false`. */
	disconnects?: DisconnectRecord;
}

/**
 * The disconnect reasons after which socket.io keeps the session for recovery: the transport went
 * away, not the client's or the server's decision to end the socket.
 */
const RECOVERABLE_REASONS = new Set([
	'transport error',
	'transport close',
	'forced close',
	'ping timeout',
	'server shutting down',
	'forced server close'
]);

export function createSocketCollector({
	model,
	faults,
	engine,
	tap,
	wireEvents,
	sessions,
	disconnects
}: SocketCollectorDeps): SocketCollector {
	// socket.io calls onAny listeners with the event and its arguments. Fixed parameters instead of a
	// rest parameter keep the hot path free of allocation; the log only shows the first arguments.
	function onIncoming(this: Socket, event: string, a?: unknown, b?: unknown, c?: unknown): void {
		try {
			const s = model.stateOf(this);
			if (s === null) return;
			s.stats.event(String(event)).in++;
			s.stats.eventsIn++;
			s.eventsIn++;
			if (tap.active) tap.record('in', s, String(event), 0, [a, b, c]);
		} catch (err) {
			faults.record('incoming event', err);
		}
	}

	function onOutgoing(this: Socket, event: string, a?: unknown, b?: unknown, c?: unknown): void {
		try {
			const s = model.stateOf(this);
			if (s === null) return;
			s.stats.event(String(event)).out++;
			s.stats.eventsOut++;
			s.eventsOut++;
			if (tap.active) tap.record('out', s, String(event), 0, [a, b, c]);
		} catch (err) {
			faults.record('outgoing event', err);
		}
	}

	function onDisconnect(this: Socket, reason: string): void {
		try {
			const s = model.stateOf(this);
			if (s === null) return;
			unwatch(s);
			// Counted once, with its reason, whether or not the session comes back.
			s.stats.countDisconnect(reason);
			// Kept apart: a socket the host's label throws on is still counted above.
			try {
				disconnects?.add(s, String(reason));
			} catch (err) {
				faults.record('disconnect record', err);
			}
			if (sessions !== undefined && RECOVERABLE_REASONS.has(reason)) sessions.park(s);
		} catch (err) {
			faults.record('disconnect', err);
		}
	}

	function unwatch(s: SocketState): void {
		if (!wireEvents) {
			s.socket.offAny(onIncoming);
			s.socket.offAnyOutgoing(onOutgoing);
		}
		s.socket.off('disconnecting', onDisconnect);
		s.conn.remove(s);
		s.stats.removeState(s);
		model.watched--;
		s.stats.transports[s.conn.transport]--;
		engine.socketRemoved(s.conn);
	}

	return {
		watch(socket, stats) {
			if (model.stateOf(socket) !== null) return;
			const conn = engine.track(socket.conn);
			const s = new SocketState(socket, stats, conn);
			// The same socket continuing: its figures go on from where the dropped transport left them.
			if (sessions !== undefined && socket.recovered === true) sessions.resume(s);
			conn.add(s);
			stats.addState(s);
			model.watched++;
			engine.socketAdded(conn);
			stats.transports[conn.transport]++;
			if (!wireEvents) {
				socket.onAny(onIncoming);
				socket.onAnyOutgoing(onOutgoing);
			}
			// `disconnecting`, not `disconnect`: socket.io still holds the socket's rooms then, which the
			// record of disconnects keeps; the one listener serves both, so a socket costs no more.
			socket.on('disconnecting', onDisconnect);
		},
		unwatchAll(stats) {
			// A copy: each unwatch takes its record out of the list.
			for (const s of [...stats.states]) unwatch(s);
		}
	};
}
