/**
 * Who may open a dashboard. `auth: false` lets everyone in as an admin, and only because the
 * operator wrote it; anything else must prove who it is.
 */
import type { Socket } from 'socket.io';
import type { SessionGrant } from '../../protocol/events.js';
import type { Principal } from '../../protocol/models.js';
import { AgentError } from '../errors.js';
import type { Options } from '../options.js';

export interface Authenticated {
	principal: Principal;
	/** A fresh session token, after a password login. */
	grant?: SessionGrant;
}

export interface Authenticator {
	/** The principal of a connecting dashboard, or an `AgentError` with the refusal's code. */
	authenticate(socket: Socket): Promise<Authenticated>;
	/** How a dashboard can log in, for its login screen. */
	readonly methods: { password: boolean; hook: boolean } | 'none';
	dispose(): void;
}

const ANONYMOUS: Principal = { name: 'anonymous', role: 'admin' };

export function createAuthenticator(auth: Options['auth']): Authenticator {
	if (auth === false) {
		return { authenticate: async () => ({ principal: ANONYMOUS }), methods: 'none', dispose() {} };
	}
	return {
		methods: { password: Boolean(auth.users?.length), hook: Boolean(auth.authorize) },
		async authenticate() {
			throw new AgentError('E_AUTH_DISABLED');
		},
		dispose() {}
	};
}
