/**
 * Finds every namespace — those that exist at `instrument()` time and those created later,
 * including the children of regex and function parent namespaces — and wires each one: its
 * connections, its adapter's room events, and its broadcasts' fan-out.
 */
import createDebug from 'debug';
import type { Namespace, Server } from 'socket.io';
import type { Faults } from '../guard.js';
import { NamespaceStats, type NodeModel } from '../model.js';
import type { SocketCollector } from './sockets.js';
import type { BroadcastTap, BroadcastTarget } from '../event-log.js';

const debug = createDebug('sockscope:namespaces');

type Adapter = Namespace['adapter'];
type Broadcast = Adapter['broadcast'];
/**
 * The adapter's `apply`, private in its typings but in every adapter since socket.io 4.0: what a
 * broadcast calls to reach each local recipient.
 */
type Apply = (this: Adapter, opts: object, callback: (socket: unknown) => void) => unknown;
type Applying = { apply?: Apply };

export interface NamespaceCollector {
	/** Re-attaches to adapters replaced since (`io.adapter(…)` after `instrument()`), drops removed namespaces. */
	refresh(): void;
	dispose(): void;
}

export interface NamespaceCollectorDeps {
	io: Server;
	model: NodeModel;
	faults: Faults;
	sockets: SocketCollector;
	adminNamespace: string;
	maxEventNames: number;
	/** The event log, told of each broadcast once (not once per recipient) while someone watches. */
	broadcasts?: BroadcastTap;
}

export function createNamespaceCollector(deps: NamespaceCollectorDeps): NamespaceCollector {
	const { io, model, faults, sockets, adminNamespace } = deps;
	const adapters = new Map<NamespaceStats, { adapter: Adapter; broadcast: Broadcast; apply: Apply }>();

	function onConnection(this: Namespace, socket: Parameters<SocketCollector['watch']>[0]): void {
		try {
			const stats = model.statsOf(this);
			if (stats === undefined) return;
			stats.connects++;
			sockets.watch(socket, stats);
		} catch (err) {
			faults.record('connection', err);
		}
	}

	// Adapter events: `this` is the adapter, whose `nsp` names the namespace.
	function onCreateRoom(this: Adapter, room: string): void {
		try {
			const stats = model.statsOf(this.nsp);
			// A socket's own room (named by its id) is created as it connects; it is not a room to show.
			if (stats && !this.nsp.sockets.has(room)) stats.publicRooms.add(room);
		} catch (err) {
			faults.record('create-room', err);
		}
	}

	function onDeleteRoom(this: Adapter, room: string): void {
		try {
			model.statsOf(this.nsp)?.publicRooms.delete(room);
		} catch (err) {
			faults.record('delete-room', err);
		}
	}

	function onJoinRoom(this: Adapter, room: string, id: string): void {
		try {
			const stats = model.statsOf(this.nsp);
			if (stats && room !== id) stats.joins++;
		} catch (err) {
			faults.record('join-room', err);
		}
	}

	function onLeaveRoom(this: Adapter, room: string, id: string): void {
		try {
			const stats = model.statsOf(this.nsp);
			if (stats && room !== id) stats.leaves++;
		} catch (err) {
			faults.record('leave-room', err);
		}
	}

	function attachAdapter(stats: NamespaceStats): void {
		const adapter = stats.nsp.adapter;
		adapter.on('create-room', onCreateRoom);
		adapter.on('delete-room', onDeleteRoom);
		adapter.on('join-room', onJoinRoom);
		adapter.on('leave-room', onLeaveRoom);
		for (const room of adapter.rooms.keys()) {
			if (!stats.nsp.sockets.has(room)) stats.publicRooms.add(room);
		}
		// Broadcasts are the one thing no event reports. Wrap the adapter's `broadcast` to count them,
		// and its `apply`, which a broadcast calls with the same options to reach each recipient (at
		// once, or after publishing to the cluster), to count their fan-out.
		const original = adapter.broadcast;
		const applying = adapter as unknown as Applying;
		const originalApply = applying.apply;
		const pending = new WeakSet<object>();
		const wrapped: Broadcast = function (this: Adapter, packet, opts) {
			try {
				stats.broadcasts++;
				pending.add(opts);
			} catch (err) {
				faults.record('broadcast', err);
			}
			const tap = deps.broadcasts;
			if (tap === undefined || !tap.active) return original.call(this, packet, opts);
			// The adapter reaches this node's recipients before it returns: their count is the difference.
			const before = stats.broadcastRecipients;
			const result = original.call(this, packet, opts);
			try {
				tap.broadcast(stats, packet, opts as BroadcastTarget, stats.broadcastRecipients - before);
			} catch (err) {
				faults.record('broadcast log', err);
			}
			return result;
		};
		const apply: Apply = function (this: Adapter, opts, callback) {
			if (!pending.has(opts)) return originalApply!.call(this, opts, callback);
			pending.delete(opts);
			return originalApply!.call(this, opts, (socket) => {
				stats.broadcastRecipients++;
				callback(socket);
			});
		};
		adapter.broadcast = wrapped;
		if (typeof originalApply === 'function') applying.apply = apply;
		adapters.set(stats, { adapter, broadcast: wrapped, apply });
	}

	function detachAdapter(stats: NamespaceStats): void {
		const entry = adapters.get(stats);
		if (!entry) return;
		const { adapter, broadcast, apply } = entry;
		adapter.off('create-room', onCreateRoom);
		adapter.off('delete-room', onDeleteRoom);
		adapter.off('join-room', onJoinRoom);
		adapter.off('leave-room', onLeaveRoom);
		// Only undo our wrappers if nobody wrapped them after us; otherwise leave theirs in place.
		if (adapter.broadcast === broadcast) delete (adapter as Partial<Adapter>).broadcast;
		const applying = adapter as unknown as Applying;
		if (applying.apply === apply) delete applying.apply;
		adapters.delete(stats);
		stats.publicRooms.clear();
	}

	function track(nsp: Namespace): void {
		if (nsp.name === adminNamespace || model.statsOf(nsp)) return;
		const stats = new NamespaceStats(nsp, deps.maxEventNames);
		model.namespaces.set(nsp.name, stats);
		attachAdapter(stats);
		nsp.on('connection', onConnection);
		for (const socket of nsp.sockets.values()) sockets.watch(socket, stats);
		debug('watching namespace %s', nsp.name);
	}

	function untrack(stats: NamespaceStats): void {
		stats.nsp.off('connection', onConnection);
		detachAdapter(stats);
		sockets.unwatchAll(stats);
		model.namespaces.delete(stats.name);
	}

	// Fires for `io.of(name)` and for each child a regex or function parent namespace creates.
	const onNewNamespace = faults.wrap('new_namespace', (nsp: Namespace) => track(nsp));

	// socket.io has no other way to list the namespaces that exist already: `_nsps` is read, never written.
	for (const nsp of io._nsps.values()) track(nsp);
	io.on('new_namespace', onNewNamespace);

	return {
		refresh() {
			for (const stats of [...model.namespaces.values()]) {
				if (io._nsps.get(stats.name) !== stats.nsp) {
					// Removed (`cleanupEmptyChildNamespaces`) or replaced: forget it.
					untrack(stats);
				} else if (adapters.get(stats)?.adapter !== stats.nsp.adapter) {
					detachAdapter(stats);
					attachAdapter(stats);
				}
			}
		},
		dispose() {
			io.off('new_namespace', onNewNamespace);
			for (const stats of [...model.namespaces.values()]) untrack(stats);
		}
	};
}
