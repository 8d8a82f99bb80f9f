/**
 * Finds every namespace — those that exist at `instrument()` time and those created later,
 * including the children of regex and function parent namespaces — and wires each one: its
 * connections, its adapter's room events, and its broadcasts' fan-out.
 */
import createDebug from 'debug';
import type { Namespace, Server } from 'socket.io';
import type { EventNameRules } from '../event-names.js';
import type { Faults } from '../../base/faults.js';
import { NamespaceStats, type NodeModel } from '../model.js';
import { existingNamespaces, isGone, wrapBroadcasts, type BroadcastCounter } from '../seam.js';
import type { SocketCollector } from './sockets.js';

/** A broadcast as the adapter sees it, before it reaches any socket. */
export interface BroadcastTap {
	active: boolean;
	/** `recipients`: the sockets of this node it was delivered to. */
	broadcast(
		stats: NamespaceStats,
		packet: { type: number; data?: unknown[] },
		opts: BroadcastTarget,
		recipients: number
	): void;
}

export interface BroadcastTarget {
	rooms: Set<string>;
	except?: Set<string>;
}

const debug = createDebug('sockscope:namespaces');

/**
 * One namespace's broadcast counter, told by the wrapped adapter. A class, not three closures a
 * namespace: with one namespace per tenant, its methods are shared by 10,000 namespaces.
 */
class BroadcastCount implements BroadcastCounter {
	/** Recipients counted before the broadcast being sent: the adapter reaches this node's
	 * recipients before it returns, and the log is told their count. */
	private before = 0;

	constructor(
		private readonly stats: NamespaceStats,
		private readonly log: BroadcastTap | undefined
	) {}

	broadcast(): void {
		this.stats.broadcasts++;
		this.before = this.stats.broadcastRecipients;
	}

	recipient(): void {
		this.stats.broadcastRecipients++;
	}

	sent(packet: { type: number; data?: unknown[] }, opts: object): void {
		const { stats, log } = this;
		const recipients = stats.broadcastRecipients - this.before;
		stats.roomTraffic.broadcast((opts as BroadcastTarget).rooms, recipients);
		if (log?.active) log.broadcast(stats, packet, opts as BroadcastTarget, recipients);
	}
}

type Adapter = Namespace['adapter'];

export interface NamespaceCollector {
	/**
	 * Once an interval: ranks each namespace's event names, re-attaches to adapters replaced since
	 * (`io.adapter(…)` after `instrument()`), drops removed namespaces.
	 */
	refresh(): void;
	dispose(): void;
}

export interface NamespaceCollectorDeps {
	io: Server;
	model: NodeModel;
	faults: Faults;
	sockets: SocketCollector;
	adminNamespace: string;
	/** How each namespace bounds the event names it counts apart. */
	eventNames: EventNameRules;
	/** Whether broadcasts can be counted (the seam's self-check). */
	broadcasts: boolean;
	/** The event log, told of each broadcast once (not once per recipient) while someone watches. */
	broadcastLog?: BroadcastTap;
}

export function createNamespaceCollector(deps: NamespaceCollectorDeps): NamespaceCollector {
	const { io, model, faults, sockets, adminNamespace } = deps;
	const adapters = new Map<NamespaceStats, { adapter: Adapter; unwrap: () => void }>();

	function onConnection(this: Namespace, socket: Parameters<SocketCollector['watch']>[0]): void {
		try {
			const stats = model.statsOf(this);
			if (stats === undefined) return;
			// A recovered session (socket.io ≥ 4.6) is the socket that dropped coming back, not a new one.
			if (socket.recovered === true) stats.recovered++;
			else stats.connects++;
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
			if (stats === undefined) return;
			if (room !== id) stats.joins++;
			// A recovered session's rooms, its own among them, are restored in the new socket's
			// constructor, before socket.io lists the socket in `nsp.sockets`: `create-room` could not
			// tell the id's room from a public one. Joining it under its own id settles it.
			else stats.publicRooms.delete(room);
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
		// Broadcasts are the one thing no event reports: counted by wrapping the adapter (seam.ts).
		const unwrap = deps.broadcasts
			? wrapBroadcasts(adapter, new BroadcastCount(stats, deps.broadcastLog), faults)
			: () => {};
		adapters.set(stats, { adapter, unwrap });
	}

	function detachAdapter(stats: NamespaceStats): void {
		const entry = adapters.get(stats);
		if (!entry) return;
		const { adapter, unwrap } = entry;
		adapter.off('create-room', onCreateRoom);
		adapter.off('delete-room', onDeleteRoom);
		adapter.off('join-room', onJoinRoom);
		adapter.off('leave-room', onLeaveRoom);
		unwrap();
		adapters.delete(stats);
		stats.publicRooms.clear();
	}

	function track(nsp: Namespace): void {
		if (nsp.name === adminNamespace || model.statsOf(nsp)) return;
		const stats = new NamespaceStats(nsp, deps.eventNames);
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
		stats.names.clear();
		stats.roomTraffic.clear();
		model.namespaces.delete(stats.name);
	}

	// Fires for `io.of(name)` and for each child a regex or function parent namespace creates.
	const onNewNamespace = faults.wrap('new_namespace', (nsp: Namespace) => track(nsp));

	for (const nsp of existingNamespaces(io)) track(nsp);
	io.on('new_namespace', onNewNamespace);

	return {
		refresh() {
			for (const stats of [...model.namespaces.values()]) {
				stats.names.rank();
				stats.roomTraffic.rank();
				if (isGone(io, stats.nsp)) {
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
