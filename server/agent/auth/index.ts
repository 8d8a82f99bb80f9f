/**
 * Who may open a dashboard. `auth: false` lets everyone in as an admin, and only because the
 * operator wrote it; anything else must prove who it is, in this order: the host's `authorize`
 * hook, a session token, a password login (failures limited per user and address, so nobody can
 * lock another user out; answered with a new token).
 */
import { randomBytes } from 'node:crypto';
import createDebug from 'debug';
import type { Socket } from 'socket.io';
import { z } from 'zod';
import type { SessionGrant } from '../../protocol/events.js';
import type { Principal } from '../../protocol/models.js';
import { ROLES } from '../../protocol/vocabulary.js';
import { AgentError } from '../base/errors.js';
import type { Faults } from '../base/faults.js';
import type { AuthOptions, Options } from '../options.js';
import { ownCopy, withPlainPrototype } from '../base/own-keys.js';
import { namespaceField } from '../base/validation.js';
import { addressGroup, clientAddress } from './client-address.js';
import { createPasswordCheck } from './passwords.js';
import { LoginLimiter } from './rate-limit.js';
import { createTokenSigner } from './tokens.js';

const debug = createDebug('sockscope:auth');

export interface Authenticated {
	principal: Principal;
	/** A fresh session token, after a password login. */
	grant?: SessionGrant;
	/** When the session ends (ms since the epoch): the dashboard is disconnected then. */
	expiresAt?: number;
}

export interface Authenticator {
	/** The principal of a connecting dashboard, or an `AgentError` with the refusal's code. */
	authenticate(socket: Socket): Promise<Authenticated>;
	/** How a dashboard can log in, for its login screen. */
	readonly methods: { password: boolean; hook: boolean } | 'none';
	dispose(): void;
}

const ANONYMOUS: Principal = { name: 'anonymous', role: 'admin' };

/** What a host's hook must return: extra fields are dropped, a wrong shape is the host's fault. */
const hookPrincipal = withPlainPrototype(() =>
	z.object({
		name: z.string().min(1).max(128),
		role: z.enum(ROLES),
		namespaces: z.array(namespaceField).max(1000).optional()
	})
);

export function createAuthenticator(auth: Options['auth'], faults: Faults): Authenticator {
	if (auth === false) {
		return { authenticate: async () => ({ principal: ANONYMOUS }), methods: 'none', dispose() {} };
	}
	const users = auth.users ?? [];
	const passwords = createPasswordCheck(users);
	const tokens = createTokenSigner(auth.secret ?? randomBytes(32), auth.sessionTtl ?? 3600);
	const limiter = new LoginLimiter(auth.maxFailedLogins ?? 5);

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
				new TypeError(`authorize returned no valid principal: ${parsed.error.message}`)
			);
			throw new AgentError(
				'E_AUTH_INVALID',
				'refused: the authorize hook returned no valid principal'
			);
		}
		const { name, role, namespaces } = ownCopy(parsed.data);
		return namespaces ? { name, role, namespaces } : { name, role };
	}

	/** The principal of a token, as the users list says now: a removed or demoted user is out. */
	function fromToken(token: unknown): Authenticated {
		const claimed = tokens.verify(token);
		const user = passwords.find(claimed.name);
		if (!user || user.role !== claimed.role) throw new AgentError('E_TOKEN_INVALID');
		return { principal: principalOf(user), expiresAt: claimed.expiresAt };
	}

	async function fromPassword(
		credentials: Record<string, unknown>,
		address: string
	): Promise<Authenticated> {
		const name = typeof credentials.user === 'string' ? credentials.user.slice(0, 128) : '';
		const key = `${name}\u0000${addressGroup(address)}`;
		limiter.attempt(key);
		let user;
		try {
			user = await passwords.check(credentials.user, credentials.password);
		} catch (err) {
			// Not checked (the password worker is busy or gone): not a failed guess either.
			limiter.succeeded(key);
			throw err instanceof AgentError ? err : new AgentError('E_INTERNAL');
		}
		if (!user) {
			debug('failed login from %s', address);
			throw new AgentError('E_AUTH_INVALID');
		}
		limiter.succeeded(key);
		const principal = principalOf(user);
		const grant = tokens.issue(principal);
		return { principal, grant, expiresAt: grant.expiresAt };
	}

	return {
		methods: { password: users.length > 0, hook: Boolean(auth.authorize) },
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
				if (users.length === 0) throw new AgentError('E_AUTH_INVALID');
				return fromPassword(credentials, clientAddress(socket.handshake, auth.trustProxy ?? false));
			}
			if (users.length > 0) throw new AgentError('E_AUTH_REQUIRED');
			if (auth.authorize) throw new AgentError('E_AUTH_INVALID', 'refused by the authorize hook');
			throw new AgentError('E_AUTH_DISABLED');
		},
		dispose() {
			limiter.dispose();
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
