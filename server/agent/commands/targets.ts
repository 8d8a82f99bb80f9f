/**
 * Checks on what a command aims at, beyond its schema, made before it runs (and audited as refused):
 * a socket's own room (named by its id) is no room to join or move others into, and a principal
 * scoped to some namespaces may close a whole connection only when it can see every socket on it.
 */
import type { Principal } from '../../protocol/models.js';
import { AgentError } from '../base/errors.js';
import { canSee } from '../base/scope.js';

/** socket.io's default ids (base64id): a name of this shape may be a socket elsewhere in a cluster. */
const DEFAULT_ID = /^[A-Za-z0-9_-]{20}$/;

/** The rooms a command would put sockets into or take them out of. */
export function roomTargets(command: string, input: Record<string, unknown>): string[] {
	switch (command) {
		case 'socket:join':
		case 'socket:leave':
			return [input.room as string];
		case 'socket:move':
			return [input.from as string, input.to as string];
		case 'room:move':
			return [input.to as string];
		default:
			return [];
	}
}

/** Whether a room's name may be a socket's id on another node, and so worth asking the others. */
export function maySocketId(room: string): boolean {
	return DEFAULT_ID.test(room);
}

/** Throws `E_VALIDATION` when a room is some socket's own room (`isSocket`: on any node that said). */
export function refusePrivateRooms(rooms: string[], isSocket: (room: string) => boolean): void {
	for (const room of rooms) {
		if (isSocket(room)) {
			throw new AgentError(
				'E_VALIDATION',
				`room ${room} is a socket's own room, not a room to target`
			);
		}
	}
}

/**
 * Throws `E_FORBIDDEN` unless `principal` sees every namespace of the connection a socket is on.
 * `namespacesOf` lists them for a socket on this node, or gives null when it is not here (a
 * remote connection cannot be checked, so a scoped principal may not close it).
 */
export function refuseHiddenConnection(
	principal: Principal,
	namespace: string,
	id: string,
	namespacesOf: (namespace: string, id: string) => string[] | null
): void {
	if (principal.namespaces === undefined) return;
	const namespaces = namespacesOf(namespace, id);
	if (namespaces === null) {
		throw new AgentError(
			'E_FORBIDDEN',
			'closing a connection on another node needs a user who sees every namespace'
		);
	}
	if (!namespaces.every((name) => canSee(principal, name))) {
		throw new AgentError(
			'E_FORBIDDEN',
			'that connection also carries sockets of namespaces you cannot see'
		);
	}
}
