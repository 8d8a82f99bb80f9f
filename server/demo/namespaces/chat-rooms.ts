/**
 * Chat rooms, as served by the default namespace and each tenant namespace. A socket is in at most
 * one chat room at a time; joining another leaves the previous one.
 *
 * Client to server (each takes an optional ack that receives `{ data }` or `{ error }`):
 *   rooms:list                → [{ name, members }]: standing rooms, then rooms users created
 *   room:join   (name)        → { room, members: [{ id, name }], total }; creates the room if new
 *   room:leave                → { room: null }
 *   message:send (text)       → the ChatMessage, as the others in the room receive it
 *   typing:update (boolean)   no ack
 *   <tenant event> (object)   → { at }, relayed to the room as { room, from, at, payload }
 * Server to client:
 *   message:new (ChatMessage), member:joined / member:left ({ room, id, name }),
 *   typing:update ({ room, id, name, typing })
 *
 * Delivery: a message goes to everyone in the sender's room except the sender, and the sender gets
 * the very same message object in its ack. So each client sees its message exactly once, with the
 * server's id and time, and never has to match a local echo against a broadcast.
 */
import { randomUUID } from 'node:crypto';
import type { Namespace, Socket } from 'socket.io';
import { MAX_TEXT } from '../catalog.js';
import { Refusal, dataOf, on, text } from './handler.js';

export interface ChatMessage {
	id: string;
	room: string;
	from: string;
	text: string;
	at: number;
}

export interface ChatRoomsConfig {
	/** Rooms always listed, even when empty. */
	rooms: readonly string[];
	/** Extra events relayed to the sender's room. */
	events?: readonly string[];
	/** A room whose members get none of the events above (clients that speak another protocol). */
	silent?: string;
	/** Called after each message is delivered, to reach clients of another protocol. */
	onPost?: (message: ChatMessage) => void;
}

export interface ChatRooms {
	/** Moves `socket` into `room`, telling the room it leaves and the room it enters. */
	enter(socket: Socket, room: string): void;
	/** Posts `text` from `socket` into its room and returns the message. */
	post(socket: Socket, text: string): ChatMessage;
}

/**
 * Lowercase only. Socket ids are mixed-case, and a room named like a socket id would let its
 * members read that socket's private messages (the `nsp.sockets` check below covers the rare
 * lowercase id).
 */
const ROOM_NAME = /^[a-z0-9][a-z0-9_-]{0,23}$/;
/** Rooms users may create per namespace; a created room disappears when its last member leaves. */
const MAX_CREATED = 100;
/** Members listed in a join acknowledgement; `total` gives the full count. */
const MAX_PRESENCE = 100;
const MAX_PAYLOAD = 1024;

export function registerChatRooms(nsp: Namespace, config: ChatRoomsConfig): ChatRooms {
	const created = new Set<string>();
	const others = (socket: Socket, room: string) =>
		config.silent ? socket.to(room).except(config.silent) : socket.to(room);

	// The adapter deletes a room when its last member leaves; the list forgets it then too.
	nsp.adapter.on('delete-room', (room: string) => created.delete(room));

	function leave(socket: Socket): void {
		const data = dataOf(socket);
		if (!data.room) return;
		others(socket, data.room).emit('member:left', {
			room: data.room,
			id: socket.id,
			name: data.name
		});
		socket.leave(data.room);
		data.room = undefined;
	}

	function enter(socket: Socket, room: string): void {
		const data = dataOf(socket);
		if (data.room === room) return;
		leave(socket);
		socket.join(room);
		data.room = room;
		others(socket, room).emit('member:joined', { room, id: socket.id, name: data.name });
	}

	function currentRoom(socket: Socket): string {
		const room = dataOf(socket).room;
		if (!room) throw new Refusal('join a room first');
		return room;
	}

	function post(socket: Socket, body: string): ChatMessage {
		const room = currentRoom(socket);
		const message = {
			id: randomUUID(),
			room,
			from: dataOf(socket).name,
			text: body,
			at: Date.now()
		};
		others(socket, room).emit('message:new', message);
		config.onPost?.(message);
		return message;
	}

	function roomName(input: unknown): string {
		const name = text(input, 'room name', 24).toLowerCase();
		if (!ROOM_NAME.test(name)) {
			throw new Refusal('room names are up to 24 lowercase letters, digits, "-" and "_"');
		}
		if (!config.rooms.includes(name) && !created.has(name)) {
			if (nsp.sockets.has(name)) throw new Refusal('that room name is taken');
			if (created.size >= MAX_CREATED) throw new Refusal('too many rooms; join an existing one');
			created.add(name);
		}
		return name;
	}

	async function presence(room: string) {
		const sockets = await nsp.in(room).fetchSockets();
		const members = sockets.slice(0, MAX_PRESENCE).map((s) => ({ id: s.id, name: dataOf(s).name }));
		return { room, members, total: sockets.length };
	}

	nsp.on('connection', (socket) => {
		const movable = () => {
			if (dataOf(socket).pinned) throw new Refusal('connect with auth.name to choose rooms');
		};
		on(socket, 'rooms:list', () => {
			const sizes = nsp.adapter.rooms;
			return [...config.rooms, ...created].map((name) => ({
				name,
				members: sizes.get(name)?.size ?? 0
			}));
		});
		on(socket, 'room:join', (input) => {
			movable();
			const room = roomName(input);
			enter(socket, room);
			return presence(room);
		});
		on(socket, 'room:leave', () => {
			movable();
			leave(socket);
			return { room: null };
		});
		on(socket, 'message:send', (input) => post(socket, text(input, 'message', MAX_TEXT)));
		on(socket, 'typing:update', (typing) => {
			const { room, name } = dataOf(socket);
			if (room)
				others(socket, room).emit('typing:update', {
					room,
					id: socket.id,
					name,
					typing: typing === true
				});
		});
		for (const event of config.events ?? []) {
			on(socket, event, (payload) => {
				const room = currentRoom(socket);
				const at = Date.now();
				others(socket, room).emit(event, {
					room,
					from: dataOf(socket).name,
					at,
					payload: small(payload)
				});
				return { at };
			});
		}
		socket.on('disconnecting', () => leave(socket));
	});

	return { enter, post };
}

/** A plain object of at most 1 KiB of JSON: tenant events carry small app data, nothing else. */
function small(payload: unknown): object {
	if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
		throw new Refusal('payload must be an object');
	}
	if (JSON.stringify(payload).length > MAX_PAYLOAD) {
		throw new Refusal(`payload must be at most ${MAX_PAYLOAD} bytes of JSON`);
	}
	return payload;
}
