/**
 * Admin commands: their inputs and results. Every command is acknowledged with `{ data }` or
 * `{ error }` and leaves an audit entry.
 */
import type { Principal } from './models.js';

export interface DisconnectInput {
	namespace: string;
	id: string;
	/** Sent to the client first, as the event `sockscope:kicked`, before it is disconnected. */
	reason?: string;
	/** Close the whole underlying connection (every namespace of that client). */
	close?: boolean;
}

export interface RoomInput {
	namespace: string;
	id: string;
	room: string;
}

export interface MoveInput {
	namespace: string;
	id: string;
	from: string;
	to: string;
}

export interface EmitInput {
	namespace: string;
	/** Exactly one target: a socket id or a room; neither means the whole namespace. */
	socket?: string;
	room?: string;
	except?: string[];
	event: string;
	args: unknown[];
}

export interface RoomMoveInput {
	namespace: string;
	room: string;
	to: string;
	dryRun?: boolean;
}

export interface RoomDisconnectInput {
	namespace: string;
	room: string;
	reason?: string;
	dryRun?: boolean;
	/** Sockets disconnected per second; absent: all at once. */
	rate?: number;
}

/**
 * Ends every session of a user: their open dashboards (on every node) are disconnected, and the
 * session tokens granted to them until now are refused. Only an admin who sees every namespace
 * may send it. The user logs in again with a password (a host's `authorize` hook may let a
 * dashboard of theirs straight back in: those sessions are the host's).
 */
export interface SessionsEndInput {
	/** The user's name, as in `auth.users` (or as the host's hook names its principal). */
	user: string;
}

/** How many sockets a command touched, per node. */
export interface Affected {
	sockets: number;
	/** By the id of the node that holds them (and acted on them); nodes with none left out. */
	nodes: Record<string, number>;
	dryRun?: boolean;
	/** Nodes that did not answer in time (down, or not yet known to be): their sockets are not counted. */
	missing?: string[];
}

export interface CommandMap {
	'socket:disconnect': { input: DisconnectInput; result: Affected };
	'socket:join': { input: RoomInput; result: Affected };
	'socket:leave': { input: RoomInput; result: Affected };
	'socket:move': { input: MoveInput; result: Affected };
	'emit:send': { input: EmitInput; result: Affected };
	'room:move': { input: RoomMoveInput; result: Affected };
	'room:disconnect': { input: RoomDisconnectInput; result: Affected };
	/** `sockets`: the user's dashboards disconnected. */
	'sessions:end': { input: SessionsEndInput; result: Affected };
}

export type CommandName = keyof CommandMap;

export const COMMAND_EVENTS = [
	'socket:disconnect',
	'socket:join',
	'socket:leave',
	'socket:move',
	'emit:send',
	'room:move',
	'room:disconnect'
] as const satisfies readonly CommandName[];

/** The commands that act on the host's sockets, in one namespace each. */
export type SocketCommandName = (typeof COMMAND_EVENTS)[number];

/** Every command, as the audit trail names them: the socket commands, then the agent's own. */
export const AUDITED_COMMANDS = [...COMMAND_EVENTS, 'sessions:end'] as const satisfies readonly CommandName[];

/** The event a kicked client receives before it is disconnected, with `{ reason }`. */
export const KICK_EVENT = 'sockscope:kicked';

/**
 * The event a client receives after an admin moved it between rooms, joined it to one or removed
 * it from one, with a `MovedNotice`: the app on the client may show the room it is now in.
 */
export const MOVE_EVENT = 'sockscope:moved';

/** What `sockscope:moved` says: the room the socket left and the one it joined, null for none. */
export interface MovedNotice {
	from: string | null;
	to: string | null;
}

export interface AuditEntry {
	id: string;
	t: number;
	principal: Principal | null;
	address: string;
	command: string;
	/** The namespace the command targeted; absent when an invalid command named none. */
	namespace?: string;
	target: string;
	/**
	 * The labels (the agent's `label` option) of the sockets the command aimed at, as they were
	 * when it was recorded, so the entry still names them once they are gone: distinct, at most
	 * `AUDIT_LABELS` (a room's first ones). Absent when none had a label, when the command
	 * stopped before its targets were found, or when an emit aimed at a whole namespace.
	 */
	labels?: string[];
	outcome: 'ok' | 'refused' | 'invalid' | 'failed';
	/** The reason the operator gave (kicks), as the client was told it. */
	reason?: string;
	/** Error code when the outcome is not ok. */
	code?: string;
	affected: number;
	nodeId: string;
}

export interface AuditQuery {
	cursor?: string;
	limit?: number;
}
