/**
 * What each command does. `plan` looks without touching: it finds the namespace (looked up, never
 * created) and counts the sockets cluster-wide with `fetchSockets`, or throws `E_NOT_FOUND`. `run`
 * acts, through the namespace's adapter, so on every node of a cluster.
 */
import type { Namespace, Server } from 'socket.io';
import type { z } from 'zod';
import {
	KICK_EVENT,
	MOVE_EVENT,
	type Affected,
	type CommandMap,
	type SocketCommandName,
	type MovedNotice
} from '../../protocol/commands.js';
import { AgentError } from '../base/errors.js';
import { namespaceNamed } from '../observe/seam.js';
import { commandSchemas } from '../base/validation.js';
import type { Pacer } from './pacer.js';

export interface Plan {
	affected: Affected;
	/** Acts; absent for a dry run. */
	run?(): void;
	/** The sockets a kick disconnects (found when planned), for the record of disconnects. */
	kicks?: string[];
}

export interface CommandSpec<I extends { namespace: string }> {
	schema: z.ZodType<I>;
	/** What the command aims at, in words, for the audit trail (the namespace is recorded apart). */
	target(input: I): string;
	plan(nsp: Namespace, input: I): Promise<Plan>;
}

export type CommandSpecs = { [K in SocketCommandName]: CommandSpec<CommandMap[K]['input']> };

type Operator = ReturnType<Namespace['in']>;

/**
 * Tells the sockets why (when clients are told), then disconnects them: same adapter, same order,
 * so the event arrives first.
 */
function kick(operator: Operator, reason: string | undefined, close: boolean, tell: boolean): void {
	if (tell) operator.emit(KICK_EVENT, { reason });
	operator.disconnectSockets(close);
}

/** Moves sockets out of `from` and into `to` (either may be null), then tells them when asked. */
function move(operator: Operator, from: string | null, to: string | null, tell: boolean): void {
	// Leave first: moving to the same room leaves the socket in it.
	if (from !== null) operator.socketsLeave(from);
	if (to !== null) operator.socketsJoin(to);
	if (tell) operator.emit(MOVE_EVENT, { from, to } satisfies MovedNotice);
}

/** Remote sockets from a cluster adapter do not say which node holds them. */
const REMOTE_NODE = 'remote';

/** An existing namespace. Never `io.of(name)`: with a name a dashboard sent, that would create it. */
export function namespaceOf(io: Server, name: string): Namespace {
	const nsp = namespaceNamed(io, name);
	if (!nsp) throw new AgentError('E_NOT_FOUND', `no namespace ${name}`);
	return nsp;
}

interface Targets {
	affected: Affected;
	ids: string[];
}

/** The sockets an operator reaches, on every node, grouped by node where that is known. */
async function count(
	nsp: Namespace,
	operator: Pick<Operator, 'fetchSockets'>,
	nodeId: string
): Promise<Targets> {
	const sockets = await operator.fetchSockets();
	const nodes: Record<string, number> = {};
	for (const socket of sockets) {
		const node = nsp.sockets.has(socket.id) ? nodeId : REMOTE_NODE;
		nodes[node] = (nodes[node] ?? 0) + 1;
	}
	return { affected: { sockets: sockets.length, nodes }, ids: sockets.map((socket) => socket.id) };
}

/** Like `count`, but a target that reaches no socket is `E_NOT_FOUND`. */
async function found(
	nsp: Namespace,
	operator: Pick<Operator, 'fetchSockets'>,
	nodeId: string,
	what: string
): Promise<Targets> {
	const targets = await count(nsp, operator, nodeId);
	if (targets.affected.sockets === 0) throw new AgentError('E_NOT_FOUND', `no socket in ${what}`);
	return targets;
}

const dry = (dryRun: boolean | undefined) => (dryRun ? ' (dry run)' : '');

/** `tell`: whether kicked and moved clients are told (`sockscope:kicked`, `sockscope:moved`). */
export function commandSpecs(nodeId: string, pacer: Pacer, tell: boolean): CommandSpecs {
	/** A command on one socket, wherever it is in the cluster: found first, then acted on. */
	async function onSocket(
		nsp: Namespace,
		id: string,
		act: (socket: Operator) => void
	): Promise<Plan> {
		const { affected, ids } = await found(nsp, nsp.in(id), nodeId, `socket ${id}`);
		return { affected, run: () => act(nsp.in(id)), kicks: ids };
	}

	/** A command on every member of a room, or only their count for a dry run. */
	async function onRoom(
		nsp: Namespace,
		room: string,
		dryRun: boolean | undefined,
		act: (members: Operator, ids: string[]) => void
	): Promise<Plan> {
		const { affected, ids } = await found(nsp, nsp.in(room), nodeId, `room ${room}`);
		return dryRun ? { affected } : { affected, run: () => act(nsp.in(room), ids), kicks: ids };
	}

	return {
		'socket:disconnect': {
			schema: commandSchemas['socket:disconnect'],
			target: (i) => `socket ${i.id}${i.close ? ' (whole connection)' : ''}`,
			plan: (nsp, i) =>
				onSocket(nsp, i.id, (socket) => kick(socket, i.reason, i.close ?? false, tell))
		},
		'socket:join': {
			schema: commandSchemas['socket:join'],
			target: (i) => `socket ${i.id} join ${i.room}`,
			plan: (nsp, i) => onSocket(nsp, i.id, (socket) => move(socket, null, i.room, tell))
		},
		'socket:leave': {
			schema: commandSchemas['socket:leave'],
			target: (i) => `socket ${i.id} leave ${i.room}`,
			plan: (nsp, i) => onSocket(nsp, i.id, (socket) => move(socket, i.room, null, tell))
		},
		'socket:move': {
			schema: commandSchemas['socket:move'],
			target: (i) => `socket ${i.id} from ${i.from} to ${i.to}`,
			plan: (nsp, i) => onSocket(nsp, i.id, (socket) => move(socket, i.from, i.to, tell))
		},
		'emit:send': {
			schema: commandSchemas['emit:send'],
			target: (i) =>
				`${i.socket !== undefined ? `socket ${i.socket}` : i.room !== undefined ? `room ${i.room}` : 'namespace'}` +
				` event ${i.event}${i.except?.length ? ` except ${i.except.join(', ')}` : ''}`,
			async plan(nsp, i) {
				const to = i.socket ?? i.room;
				// No room at all is the whole namespace.
				const operator = nsp.to(to ?? []).except(i.except ?? []);
				const { affected } =
					to === undefined
						? await count(nsp, operator, nodeId)
						: await found(nsp, operator, nodeId, to);
				return { affected, run: () => operator.emit(i.event, ...i.args) };
			}
		},
		'room:move': {
			schema: commandSchemas['room:move'],
			target: (i) => `room ${i.room} to ${i.to}${dry(i.dryRun)}`,
			plan: (nsp, i) =>
				onRoom(nsp, i.room, i.dryRun, (members, ids) => {
					// Join first: the members are found by the room they are about to leave.
					members.socketsJoin(i.to);
					members.socketsLeave(i.room);
					// By id: the room now holds none of them, and `to` holds others too.
					if (tell) nsp.in(ids).emit(MOVE_EVENT, { from: i.room, to: i.to } satisfies MovedNotice);
				})
		},
		'room:disconnect': {
			schema: commandSchemas['room:disconnect'],
			target: (i) => `room ${i.room}${i.rate ? ` at ${i.rate}/s` : ''}${dry(i.dryRun)}`,
			plan: (nsp, i) =>
				onRoom(nsp, i.room, i.dryRun, (members, ids) => {
					if (i.rate === undefined) return kick(members, i.reason, false, tell);
					// Paced by the members found now: later arrivals are not part of this command.
					pacer.start(ids, i.rate, (batch) => kick(nsp.in(batch), i.reason, false, tell));
				})
		}
	};
}
