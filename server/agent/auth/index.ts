/**
 * Who may open a dashboard. `auth: false` lets everyone in as an admin, and only because the
 * operator wrote it; anything else must prove who it is, in this order: the host's `authorize`
 * hook, a session token, a password login (answered with a new token).
 *
 * Password logins are limited twice, both counted against the client's address group (IPv4
 * address, IPv6 /64; see client-address.ts): failures per user name and address, so that nobody
 * can lock a user out from elsewhere, and failures per address across every name, so that
 * throw-away names (each new, so never limited by name) are stopped too. Each attempt counts as a
 * failure while it runs, so parallel attempts cannot outrun either limit.
 *
 * Sessions (from a password or a token) are checked again while they last: `current()` says
 * whether the user still has the password, role and namespaces the session was granted against,
 * and whether an admin ended the user's sessions since.
 */
import { randomBytes } from 'node:crypto';
import createDebug from 'debug';
import type { Socket } from 'socket.io';
import type { SessionGrant } from '../../protocol/events.js';
import type { Principal } from '../../protocol/models.js';
import { ROLES } from '../../protocol/vocabulary.js';
import { AgentError } from '../base/errors.js';
import type { Faults } from '../base/faults.js';
import type { AuthOptions, Options } from '../options.js';
import { ownCopy } from '../base/own-keys.js';
import { issueText, v } from '../base/schema.js';
import { namespaceField } from '../base/validation.js';
import { addressGroup, clientAddress } from './client-address.js';
import { createPasswordCheck } from './passwords.js';
import { LoginLimiter } from './rate-limit.js';
import { createTokenSigner, type Session } from './tokens.js';
import type { UserOptions } from '../options.js';

const debug = createDebug('sockscope:auth');

export interface Authenticated {
	principal: Principal;
	/** A fresh session token, after a password login. */
	grant?: SessionGrant;
	/** When the session ends (ms since the epoch): the dashboard is disconnected then. */
	expiresAt?: number;
	/**
	 * What a password or token session was granted against, to check again with `current()`;
	 * absent for the host's hook and `auth: false`, whose sessions are not the agent's.
	 */
	session?: Session;
}

export interface Authenticator {
	/** The principal of a connecting dashboard, or an `AgentError` with the refusal's code. */
	authenticate(socket: Socket): Promise<Authenticated>;
	/** How a dashboard can log in, for its login screen. */
	readonly methods: { password: boolean; hook: boolean } | 'none';
	/** Whether a session may go on: its user unchanged, and its sessions not ended since. */
	current(session: Session): boolean;
	/** Replaces the users of password logins (already validated); sessions are checked again. */
	setUsers(users: readonly UserOptions[]): void;
	/** Ends the sessions of `name` granted until now: their tokens are refused from now on. */
	endSessions(name: string, before?: number): void;
	/** Called after users change or sessions end, to check open dashboards at once. */
	onChange(listener: () => void): void;
	dispose(): void;
}

/** Users whose sessions were ended, remembered until their last token expires; past it, oldest out. */
const MAX_ENDED = 10_000;

const ANONYMOUS: Principal = { name: 'anonymous', role: 'admin' };

/** What a host's hook must return: extra fields are dropped, a wrong shape is the host's fault. */
const hookPrincipal = v.object({
	name: v.string().min(1).max(128),
	role: v.enum(ROLES),
	namespaces: v.array(namespaceField).max(1000).optional()
});

export function createAuthenticator(auth: Options['auth'], faults: Faults): Authenticator {
	if (auth === false) {
		return {
			authenticate: async () => ({ principal: ANONYMOUS }),
			methods: 'none',
			current: () => true,
			setUsers() {
				throw new AgentError(
					'E_OPTIONS',
					'setUsers(): this agent has `auth: false`; give `auth: { users }` to instrument()'
				);
			},
			endSessions() {},
			onChange() {},
			dispose() {}
		};
	}
	const passwords = createPasswordCheck(auth.users ?? []);
	const ttl = auth.sessionTtl ?? 3600;
	const tokens = createTokenSigner(auth.secret ?? randomBytes(32), ttl);
	const limiter = new LoginLimiter(auth.maxFailedLogins ?? 5);
	const addressLimiter = new LoginLimiter(auth.maxFailedLoginsPerAddress ?? 20);
	/** Each user's current version, computed once per users list, not per check. */
	let versions = new Map<string, string>();
	const computeVersions = () => {
		versions = new Map(passwords.users.map((user) => [user.name, tokens.version(user)]));
	};
	computeVersions();
	/** Name → the moment before which its sessions were ended. */
	const ended = new Map<string, number>();
	const listeners: (() => void)[] = [];
	const changed = () => {
		for (const listener of listeners) {
			try {
				listener();
			} catch (err) {
				faults.record('sessions check', err);
			}
		}
	};

	function current(session: Session): boolean {
		if (versions.get(session.name) !== session.version) return false;
		const before = ended.get(session.name);
		return before === undefined || session.issuedAt > before;
	}

	/** A principal from the host's hook; null when it does not let this dashboard in. */
	async function fromHook(
		hook: NonNullable<AuthOptions['authorize']>,
		socket: Socket
	): Promise<Principal | null> {
		let result: unknown;
		try {
			result = await hook(socket.handshake);
		} catch (err) {
			faults.record('authorize hook', err);
			throw new AgentError('E_AUTH_INVALID', 'refused: the authorize hook failed');
		}
		if (result === null || result === undefined) return null;
		const parsed = hookPrincipal.safeParse(ownCopy(result));
		if (!parsed.success) {
			faults.record(
				'authorize hook',
				new TypeError(
					`authorize returned no valid principal: ${issueText(parsed.issue, 'principal')}`
				)
			);
			throw new AgentError(
				'E_AUTH_INVALID',
				'refused: the authorize hook returned no valid principal'
			);
		}
		const { name, role, namespaces } = ownCopy(parsed.data);
		return namespaces ? { name, role, namespaces } : { name, role };
	}

	/**
	 * The principal of a token, as the users list says now: a removed user, or one whose
	 * password, role or namespaces changed since, is out, as is one whose sessions were ended.
	 */
	function fromToken(token: unknown): Authenticated {
		const claimed = tokens.verify(token);
		const session = { name: claimed.name, version: claimed.version, issuedAt: claimed.issuedAt };
		const user = passwords.find(claimed.name);
		if (!user || !current(session)) throw new AgentError('E_TOKEN_INVALID');
		return { principal: principalOf(user), expiresAt: claimed.expiresAt, session };
	}

	async function fromPassword(
		credentials: Record<string, unknown>,
		address: string
	): Promise<Authenticated> {
		const name = typeof credentials.user === 'string' ? credentials.user.slice(0, 128) : '';
		const group = addressGroup(address);
		const key = `${name}\u0000${group}`;
		// The address first: a flood of new names is refused here, before anything else is kept.
		addressLimiter.attempt(group);
		try {
			limiter.attempt(key);
		} catch (err) {
			addressLimiter.succeeded(group);
			throw err;
		}
		const giveBack = () => {
			limiter.succeeded(key);
			addressLimiter.succeeded(group);
		};
		let user;
		try {
			user = await passwords.check(credentials.user, credentials.password, group);
		} catch (err) {
			// Not checked (this address's line is full, or the worker is gone): not a failed guess either.
			giveBack();
			throw err instanceof AgentError ? err : new AgentError('E_INTERNAL');
		}
		if (!user) {
			debug('failed login from %s', address);
			throw new AgentError('E_AUTH_INVALID');
		}
		giveBack();
		const principal = principalOf(user);
		// Of the user as checked: if the list changed during the compare, the session is already stale.
		const version = tokens.version(user);
		const { issuedAt, ...grant } = tokens.issue(principal, version);
		return {
			principal,
			grant,
			expiresAt: grant.expiresAt,
			session: { name: user.name, version, issuedAt }
		};
	}

	return {
		get methods() {
			return { password: passwords.users.length > 0, hook: Boolean(auth.authorize) };
		},
		current,
		setUsers(users) {
			passwords.setUsers(users);
			computeVersions();
			changed();
		},
		endSessions(name, before = Date.now()) {
			const now = Date.now();
			// Tokens issued before `before - ttl` have expired anyway: nothing to remember of them.
			for (const [user, t] of ended) if (t + ttl * 1000 <= now) ended.delete(user);
			ended.delete(name);
			if (ended.size >= MAX_ENDED) ended.delete(ended.keys().next().value!);
			ended.set(name, before);
			changed();
		},
		onChange(listener) {
			listeners.push(listener);
		},
		async authenticate(socket) {
			const given = socket.handshake.auth;
			const credentials: Record<string, unknown> =
				typeof given === 'object' && given !== null ? given : {};
			if (auth.authorize) {
				const principal = await fromHook(auth.authorize, socket);
				if (principal) return { principal };
			}
			if ('token' in credentials) return fromToken(credentials.token);
			if ('user' in credentials || 'password' in credentials) {
				if (passwords.users.length === 0) throw new AgentError('E_AUTH_INVALID');
				return fromPassword(credentials, clientAddress(socket.handshake, auth.trustProxy ?? false));
			}
			if (passwords.users.length > 0) throw new AgentError('E_AUTH_REQUIRED');
			if (auth.authorize) throw new AgentError('E_AUTH_INVALID', 'refused by the authorize hook');
			throw new AgentError('E_AUTH_DISABLED');
		},
		dispose() {
			limiter.dispose();
			addressLimiter.dispose();
			listeners.length = 0;
			passwords.dispose();
		}
	};
}

function principalOf(user: {
	name: string;
	role: Principal['role'];
	namespaces?: string[];
}): Principal {
	return user.namespaces
		? { name: user.name, role: user.role, namespaces: [...user.namespaces] }
		: { name: user.name, role: user.role };
}
