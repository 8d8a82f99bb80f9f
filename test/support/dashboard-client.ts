/** A dashboard client for the agent suites: users, logins that keep the grant, refusals, answers. */
import bcrypt from 'bcryptjs';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import type { UserOptions } from '../../server/agent/options.js';
import { KICK_EVENT } from '../../server/protocol/commands.js';
import type { ConnectRefusal, SessionGrant } from '../../server/protocol/events.js';
import type { Ack, Snapshot } from '../../server/protocol/models.js';
import { RequestError, type Connector } from '../../src/lib/connectors/connector.js';
import { once, snapshotOf, type Fixture } from './agent-fixture.js';

/** Cost 4: the lowest bcrypt allows, so tests do not spend their time hashing. */
export function user(name: string, role: UserOptions['role'], namespaces?: string[]): UserOptions {
	return {
		name,
		passwordHash: bcrypt.hashSync(`${name}-pw`, 4),
		role,
		...(namespaces ? { namespaces } : {})
	};
}

export interface Login {
	socket: ClientSocket;
	snapshot: Snapshot;
	grant?: SessionGrant;
}

const opened: ClientSocket[] = [];

/** Closes every dashboard opened with `login` or `refusal`. */
export function closeDashboards(): void {
	for (const socket of opened.splice(0)) socket.disconnect();
}

/**
 * A dashboard connected with `auth` (and `headers`, e.g. a proxy's `X-Forwarded-For`), its
 * snapshot and, after a password login, its grant.
 */
export async function login(
	fx: Fixture,
	auth: Record<string, unknown>,
	headers?: Record<string, string>
): Promise<Login> {
	const socket = connectClient(`${fx.url}${fx.agent.options.namespace}`, {
		forceNew: true,
		reconnection: false,
		transports: ['websocket'],
		auth,
		...(headers ? { extraHeaders: headers } : {})
	});
	opened.push(socket);
	// A password login brings a grant too; the protocol does not order it with the snapshot.
	const grant =
		'password' in auth ? once<SessionGrant>(socket, 'session:grant') : Promise.resolve(undefined);
	const [snapshot, granted] = await Promise.all([snapshotOf(socket), grant]);
	return { socket, snapshot, grant: granted };
}

/** The `connect_error` data of a dashboard the agent refuses; fails if it is let in. */
export async function refusal(
	fx: Fixture,
	auth: Record<string, unknown>,
	headers?: Record<string, string>
): Promise<ConnectRefusal> {
	try {
		await login(fx, auth, headers);
	} catch (err) {
		const { data } = err as { data?: ConnectRefusal };
		if (data !== undefined) return data;
		throw err;
	}
	throw new Error('the dashboard was let in');
}

/** The raw acknowledgement of a request. */
export async function answer<T = unknown>(
	socket: ClientSocket,
	event: string,
	payload: unknown
): Promise<Ack<T>> {
	return (await socket.timeout(10_000).emitWithAck(event, payload)) as Ack<T>;
}

/** The error code of a request, or `ok`. */
export async function outcome(
	socket: ClientSocket,
	event: string,
	payload: unknown
): Promise<string> {
	const ack = await answer(socket, event, payload);
	return 'error' in ack ? ack.error.code : 'ok';
}

/** Every payload of `event` a socket receives from now on, in order. */
export function collect<T = unknown>(socket: ClientSocket, event: string): T[] {
	const seen: T[] = [];
	socket.on(event, (value: T) => seen.push(value));
	return seen;
}

/** What a kicked client sees, in order: the kick event with its reason, then its disconnect reason. */
export function kickLog(client: ClientSocket): string[] {
	const seen: string[] = [];
	client.on(KICK_EVENT, (p: { reason?: string }) => seen.push(`kicked: ${p.reason}`));
	client.on('disconnect', (reason) => seen.push(reason));
	return seen;
}

/** socket.io's reserved event names, stated here apart from the agent's own list. */
export const RESERVED_EVENTS = [
	'connect',
	'connect_error',
	'disconnect',
	'disconnecting',
	'newListener',
	'removeListener'
];

/**
 * The dashboard's state classes' requests over a test's dashboard socket, answered as the native
 * connector answers them: a refusal, or no answer within 10 s, as a `RequestError` with its code
 * (and `retryAfter`), which the classes tell apart. Only `query` is there.
 */
export function queriesOver(socket: ClientSocket): Connector {
	return {
		async query(event: string, input: unknown) {
			let answer: {
				data?: unknown;
				error?: { code: string; message: string; retryAfter?: number };
			};
			try {
				answer = await socket.timeout(10_000).emitWithAck(event, input);
			} catch {
				throw new RequestError('E_TIMEOUT', 'The server did not answer in time.');
			}
			if (answer.error)
				throw new RequestError(answer.error.code, answer.error.message, answer.error.retryAfter);
			return answer.data;
		}
	} as unknown as Connector;
}
