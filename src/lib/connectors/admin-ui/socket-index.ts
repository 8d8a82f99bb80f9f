/**
 * Every socket admin-ui told us of, indexed by namespace and id, with each room's members. Every
 * change is O(1) (a room listing is O(its size)), so the full list at connect and one message per
 * join or leave cost the page nothing it cannot afford at thousands of sockets.
 */
import { TRANSPORTS, type Transport } from '$protocol/vocabulary';
import type { AdminUiHandshake, AdminUiSocket } from './wire';

export interface IndexedSocket {
	id: string;
	namespace: string;
	/** Rooms other than the socket's own id. */
	rooms: Set<string>;
	address: string;
	transport: Transport;
	/** In the order used, e.g. polling then websocket. */
	transports: Transport[];
	userAgent: string;
	connectedAt: number;
	eventsIn: number;
	eventsOut: number;
	handshake: AdminUiHandshake;
	data: Record<string, unknown>;
}

export interface NamespaceIndex {
	sockets: Map<string, IndexedSocket>;
	/** Room name → ids of its members; rooms named by a socket's own id are left out. */
	rooms: Map<string, Set<string>>;
}

const TRANSPORT_NAMES = new Set<string>(TRANSPORTS);

function transportOf(name: unknown): Transport {
	return typeof name === 'string' && TRANSPORT_NAMES.has(name) ? (name as Transport) : 'polling';
}

function header(headers: AdminUiHandshake['headers'] | undefined, name: string): string {
	const value = headers?.[name];
	return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

export class SocketIndex {
	readonly namespaces = new Map<string, NamespaceIndex>();
	/** Bumped by every change of sockets or rooms, so sorted views know when they are stale. */
	version = 0;

	constructor(
		/** The admin namespace itself: its sockets are the dashboards, not the app's. */
		private readonly exclude: string
	) {}

	get size(): number {
		let n = 0;
		for (const ns of this.namespaces.values()) n += ns.sockets.size;
		return n;
	}

	get(namespace: string, id: string): IndexedSocket | undefined {
		return this.namespaces.get(namespace)?.sockets.get(id);
	}

	/** The namespace's entry, created on first sight (but never for the admin namespace). */
	namespace(name: string): NamespaceIndex | null {
		if (name === this.exclude) return null;
		let ns = this.namespaces.get(name);
		if (!ns) this.namespaces.set(name, (ns = { sockets: new Map(), rooms: new Map() }));
		return ns;
	}

	/** Replaces everything with the list sent at connect. */
	reset(sockets: AdminUiSocket[]): void {
		this.namespaces.clear();
		for (const s of sockets) this.add(s);
		this.version++;
	}

	add(raw: AdminUiSocket, connectedAt = raw.handshake?.issued): IndexedSocket | null {
		const ns = this.namespace(raw.nsp);
		if (!ns || typeof raw.id !== 'string') return null;
		this.remove(raw.nsp, raw.id);
		const transport = transportOf(raw.transport);
		const socket: IndexedSocket = {
			id: raw.id,
			namespace: raw.nsp,
			rooms: new Set(),
			address: raw.handshake?.address ?? '',
			transport,
			transports: [transport],
			userAgent: header(raw.handshake?.headers, 'user-agent'),
			connectedAt: Number.isFinite(connectedAt) ? connectedAt : Date.now(),
			eventsIn: 0,
			eventsOut: 0,
			handshake: raw.handshake,
			data: raw.data ?? {}
		};
		ns.sockets.set(raw.id, socket);
		for (const room of raw.rooms ?? []) this.join(raw.nsp, room, raw.id);
		this.version++;
		return socket;
	}

	update(patch: Partial<AdminUiSocket> & { id: string; nsp: string }): void {
		const socket = this.get(patch.nsp, patch.id);
		if (!socket) return;
		if (patch.transport !== undefined) {
			socket.transport = transportOf(patch.transport);
			if (socket.transports.at(-1) !== socket.transport) socket.transports.push(socket.transport);
			this.version++;
		}
		if (patch.data !== undefined) socket.data = patch.data ?? {};
	}

	remove(namespace: string, id: string): IndexedSocket | null {
		const ns = this.namespaces.get(namespace);
		const socket = ns?.sockets.get(id);
		if (!ns || !socket) return null;
		for (const room of socket.rooms) this.#drop(ns, room, id);
		ns.sockets.delete(id);
		this.version++;
		return socket;
	}

	/** True when the socket was known and not yet in the room. */
	join(namespace: string, room: string, id: string): boolean {
		const ns = this.namespaces.get(namespace);
		const socket = ns?.sockets.get(id);
		if (!ns || !socket || room === id || socket.rooms.has(room)) return false;
		socket.rooms.add(room);
		let members = ns.rooms.get(room);
		if (!members) ns.rooms.set(room, (members = new Set()));
		members.add(id);
		this.version++;
		return true;
	}

	/** True when the socket was known and in the room. */
	leave(namespace: string, room: string, id: string): boolean {
		const ns = this.namespaces.get(namespace);
		const socket = ns?.sockets.get(id);
		if (!ns || !socket || !socket.rooms.delete(room)) return false;
		this.#drop(ns, room, id);
		this.version++;
		return true;
	}

	roomSize(namespace: string, room: string): number {
		return this.namespaces.get(namespace)?.rooms.get(room)?.size ?? 0;
	}

	#drop(ns: NamespaceIndex, room: string, id: string): void {
		const members = ns.rooms.get(room);
		if (!members) return;
		members.delete(id);
		if (members.size === 0) ns.rooms.delete(room);
	}
}
