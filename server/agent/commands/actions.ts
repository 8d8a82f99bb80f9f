/**
 * What each command does, on one node (DESIGN.md, decision 11: a command runs where its socket
 * lives). Every node is asked twice by the node that received the command (index.ts): `find`
 * counts this node's own targets without touching them, `act` carries the command out on them.
 * The node that holds a socket tells it, then acts, on the socket itself and in that order:
 * a notice sent through the adapter and a disconnect sent through it travel as two messages that
 * an adapter may deliver in either order (the Postgres adapter sends each with its own
 * `pg_notify` on any pooled connection), and a kicked client would then never learn why.
 */
import type { Namespace, Server, Socket } from 'socket.io';
import {
	KICK_EVENT,
	MOVE_EVENT,
	type CommandMap,
	type SocketCommandName,
	type MovedNotice
} from '../../protocol/commands.js';
import { AgentError } from '../base/errors.js';
import type { Schema } from '../base/schema.js';
import { namespaceNamed } from '../observe/seam.js';
import { commandSchemas } from '../base/validation.js';
import type { Pacer } from './pacer.js';

/** What one node does for its part of a command, with the input already validated. */
export interface CommandSpec<I extends { namespace: string }> {
	schema: Schema<I>;
	/** What the command aims at, in words, for the audit trail (the namespace is recorded apart). */
	target(input: I): string;
	/** This node's sockets that the command would touch now. */
	find(nsp: Namespace, input: I): Socket[];
	/**
	 * Carries the command out on this node's sockets; how many it reached. `total`: the sockets
	 * found over the cluster (a paced disconnect paces this node's part of them).
	 */
	act(nsp: Namespace, input: I, total: number): number;
	/** Whether the command aims at one socket, which lives on one node only. */
	single?: boolean;
}

export type CommandSpecs = { [K in SocketCommandName]: CommandSpec<CommandMap[K]['input']> };

/** An existing namespace. Never `io.of(name)`: with a name a dashboard sent, that would create it. */
export function namespaceOf(io: Server, name: string): Namespace {
	const nsp = namespaceNamed(io, name);
	if (!nsp) throw new AgentError('E_NOT_FOUND', `no namespace ${name}`);
	return nsp;
}

/** This node's socket of that id, as a list of none or one. */
function socketHere(nsp: Namespace, id: string): Socket[] {
	const socket = nsp.sockets.get(id);
	return socket ? [socket] : [];
}

/** This node's sockets in a room (a socket's id is its own room), from the adapter's local map. */
function membersHere(nsp: Namespace, room: string): Socket[] {
	const out: Socket[] = [];
	for (const id of nsp.adapter.rooms.get(room) ?? []) {
		const socket = nsp.sockets.get(id);
		if (socket) out.push(socket);
	}
	return out;
}

/** This node's sockets that an emit reaches: a socket, a room or the namespace, less `except`. */
function emitTargetsHere(nsp: Namespace, to: string | undefined, except: string[]): Socket[] {
	const excluded = new Set<string>();
	for (const room of except) for (const id of nsp.adapter.rooms.get(room) ?? []) excluded.add(id);
	const candidates = to === undefined ? nsp.sockets.values() : membersHere(nsp, to);
	const out: Socket[] = [];
	for (const socket of candidates) if (!excluded.has(socket.id)) out.push(socket);
	return out;
}

/** Tells the socket why (when clients are told), then disconnects it: both from this node, in order. */
function kick(socket: Socket, reason: string | undefined, close: boolean, tell: boolean): void {
	if (tell) socket.emit(KICK_EVENT, { reason });
	socket.disconnect(close);
}

/** Moves a socket out of `from` and into `to` (either may be null), then tells it when asked. */
function move(socket: Socket, from: string | null, to: string | null, tell: boolean): void {
	// Leave first: moving to the same room leaves the socket in it.
	if (from !== null) void socket.leave(from);
	if (to !== null) void socket.join(to);
	if (tell) socket.emit(MOVE_EVENT, { from, to } satisfies MovedNotice);
}

/** Applies `act` to each socket found; how many. */
function each(sockets: Socket[], act: (socket: Socket) => void): number {
	for (const socket of sockets) act(socket);
	return sockets.length;
}

const dry = (dryRun: boolean | undefined) => (dryRun ? ' (dry run)' : '');

/** `tell`: whether kicked and moved clients are told (`sockscope:kicked`, `sockscope:moved`). */
export function commandSpecs(pacer: Pacer, tell: boolean): CommandSpecs {
	return {
		'socket:disconnect': {
			schema: commandSchemas['socket:disconnect'],
			target: (i) => `socket ${i.id}${i.close ? ' (whole connection)' : ''}`,
			single: true,
			find: (nsp, i) => socketHere(nsp, i.id),
			act: (nsp, i) => each(socketHere(nsp, i.id), (s) => kick(s, i.reason, i.close ?? false, tell))
		},
		'socket:join': {
			schema: commandSchemas['socket:join'],
			target: (i) => `socket ${i.id} join ${i.room}`,
			single: true,
			find: (nsp, i) => socketHere(nsp, i.id),
			act: (nsp, i) => each(socketHere(nsp, i.id), (s) => move(s, null, i.room, tell))
		},
		'socket:leave': {
			schema: commandSchemas['socket:leave'],
			target: (i) => `socket ${i.id} leave ${i.room}`,
			single: true,
			find: (nsp, i) => socketHere(nsp, i.id),
			act: (nsp, i) => each(socketHere(nsp, i.id), (s) => move(s, i.room, null, tell))
		},
		'socket:move': {
			schema: commandSchemas['socket:move'],
			target: (i) => `socket ${i.id} from ${i.from} to ${i.to}`,
			single: true,
			find: (nsp, i) => socketHere(nsp, i.id),
			act: (nsp, i) => each(socketHere(nsp, i.id), (s) => move(s, i.from, i.to, tell))
		},
		'emit:send': {
			schema: commandSchemas['emit:send'],
			target: (i) =>
				`${i.socket !== undefined ? `socket ${i.socket}` : i.room !== undefined ? `room ${i.room}` : 'namespace'}` +
				` event ${i.event}${i.except?.length ? ` except ${i.except.join(', ')}` : ''}`,
			find: (nsp, i) => emitTargetsHere(nsp, i.socket ?? i.room, i.except ?? []),
			act(nsp, i) {
				const to = i.socket ?? i.room;
				const reached = emitTargetsHere(nsp, to, i.except ?? []).length;
				// One packet encoded for all of this node's targets; `local`: the other nodes send theirs.
				if (reached > 0)
					nsp.local
						.to(to ?? [])
						.except(i.except ?? [])
						.emit(i.event, ...i.args);
				return reached;
			}
		},
		'room:move': {
			schema: commandSchemas['room:move'],
			target: (i) => `room ${i.room} to ${i.to}${dry(i.dryRun)}`,
			find: (nsp, i) => membersHere(nsp, i.room),
			// The members found before the first moves, so each is moved once.
			act: (nsp, i) => each(membersHere(nsp, i.room), (s) => move(s, i.room, i.to, tell))
		},
		'room:disconnect': {
			schema: commandSchemas['room:disconnect'],
			target: (i) => `room ${i.room}${i.rate ? ` at ${i.rate}/s` : ''}${dry(i.dryRun)}`,
			find: (nsp, i) => membersHere(nsp, i.room),
			act(nsp, i, total) {
				const members = membersHere(nsp, i.room);
				if (i.rate === undefined) return each(members, (s) => kick(s, i.reason, false, tell));
				// Paced by the members found now: later arrivals are not part of this command. Each
				// node paces its own part, so that the cluster's rate is about the one asked.
				const share = members.length / Math.max(total, members.length, 1);
				const rate = Math.max(i.rate * share, 0.01);
				pacer.start(
					members.map((s) => s.id),
					rate,
					(batch) => {
						for (const id of batch) {
							const socket = nsp.sockets.get(id);
							if (socket) kick(socket, i.reason, false, tell);
						}
					}
				);
				return members.length;
			}
		}
	};
}
