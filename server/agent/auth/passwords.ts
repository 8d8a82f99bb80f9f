/**
 * Password logins against `auth.users`. Every attempt costs the same, whether the user exists or
 * not: names are compared in constant time, and bcrypt always runs, against a dummy hash of the
 * same cost when no user matches.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { UserOptions } from '../options.js';

const MAX_NAME = 128;
/** bcrypt's cost for new hashes: about 60 ms a hash on a current core. */
export const BCRYPT_COST = 10;
// bcrypt reads only the first 72 bytes; the bound keeps a huge password from costing anything.
const MAX_PASSWORD = 1024;

export interface PasswordCheck {
	/** The user whose name and password these are, or null. */
	check(name: unknown, password: unknown): Promise<UserOptions | null>;
	/** The user of that name, for session tokens; not a login, so not constant time. */
	find(name: string): UserOptions | undefined;
}

/** A bcrypt hash for `auth.users[].passwordHash` (what `npx sockscope hash-password` prints). */
export function hashPassword(password: string, cost = BCRYPT_COST): Promise<string> {
	return bcrypt.hash(password, cost);
}

export function createPasswordCheck(users: UserOptions[]): PasswordCheck {
	const digests = users.map((user) => ({ user, digest: digest(user.name) }));
	const cost = Number(users[0]?.passwordHash.slice(4, 6) ?? 10);
	// Made now, so the first login for an unknown name does not take longer than the others.
	const dummy = users.length
		? bcrypt.hash(randomBytes(16).toString('hex'), cost)
		: Promise.resolve('');

	return {
		async check(name, password) {
			const valid =
				typeof name === 'string' &&
				typeof password === 'string' &&
				name.length <= MAX_NAME &&
				password.length <= MAX_PASSWORD;
			const wanted = digest(valid ? name : '');
			let found: UserOptions | undefined;
			// No early exit: the time taken does not tell how far down the list a name is.
			for (const candidate of digests) {
				if (timingSafeEqual(candidate.digest, wanted) && found === undefined) {
					found = candidate.user;
				}
			}
			const hash = found?.passwordHash ?? (await dummy);
			const matches = await bcrypt.compare(valid ? (password as string) : '', hash);
			return valid && found && matches ? found : null;
		},
		find(name) {
			return users.find((user) => user.name === name);
		}
	};
}

function digest(text: string): Buffer {
	return createHash('sha256').update(text).digest();
}
