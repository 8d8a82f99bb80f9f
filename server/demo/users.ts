/**
 * The demo's dashboard logins. An admin: `SOCKSCOPE_USER` / `SOCKSCOPE_PASSWORD` when set, else
 * `admin`; `viewer`, read-only; and one read-only operator per tenant (`acme`, `globex`), scoped to
 * that tenant's namespace. Passwords not given are random, new on every start, and printed once.
 * Hashes use bcrypt cost 10, as `sockscope hash-password` does: four hashes cost about a third of
 * a second at startup, and the demo shows the cost a real deployment should use.
 */
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../agent/index.js';
import { TENANTS } from './catalog.js';

export interface DemoLogin {
	name: string;
	role: 'admin' | 'readonly';
	/** Absent: every namespace. */
	namespaces?: string[];
	/** The password to print; null when it came from the environment, which is never echoed. */
	password: string | null;
	passwordHash: string;
}

export async function demoLogins(env: NodeJS.ProcessEnv = process.env): Promise<DemoLogin[]> {
	const logins: Omit<DemoLogin, 'passwordHash'>[] = [
		{ name: env.SOCKSCOPE_USER || 'admin', role: 'admin', password: null },
		{ name: 'viewer', role: 'readonly', password: null },
		...TENANTS.map((t) => ({
			name: t.namespace.replace(/^\/tenant-/, ''),
			role: 'readonly' as const,
			namespaces: [t.namespace],
			password: null
		}))
	];
	if (logins.slice(1).some((login) => login.name === logins[0].name)) {
		throw new Error(
			`SOCKSCOPE_USER cannot be "${logins[0].name}": the demo has a login of that name`
		);
	}
	return Promise.all(
		logins.map(async (login, i) => {
			const given = i === 0 ? env.SOCKSCOPE_PASSWORD : undefined;
			const password = given || randomBytes(12).toString('base64url');
			return {
				...login,
				password: given ? null : password,
				passwordHash: await hashPassword(password)
			};
		})
	);
}

/** The logins as the agent's `auth.users`, without the plain passwords. */
export function authUsers(logins: readonly DemoLogin[]) {
	return logins.map(({ name, role, namespaces, passwordHash }) => ({
		name,
		role,
		passwordHash,
		...(namespaces && { namespaces })
	}));
}
