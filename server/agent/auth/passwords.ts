/**
 * Password logins against the users list. The name is looked up in constant time; a known name
 * has its password compared by bcrypt in the worker (hash-pool.ts, never on the host's event
 * loop), in its address's line of the fair queue. An unknown name never reaches the worker: the
 * flood that filled it was made of throw-away names. It is refused after as long as a recent
 * real compare took, holding a place in its address's line meanwhile, so that neither the time
 * nor the way it is refused tells whether the name exists.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { UserOptions } from '../options.js';
import { createHashPool } from './hash-pool.js';

const MAX_NAME = 128;
/** bcrypt's cost for new hashes: about 60 ms a hash on a current core. */
export const BCRYPT_COST = 10;
// bcrypt reads only the first 72 bytes; the bound keeps a huge password from costing anything.
const MAX_PASSWORD = 1024;
/** The line of the one compare that measures the cost of a compare, apart from every address's. */
const CALIBRATION = '\u0000calibration';

export interface PasswordCheck {
	/**
	 * The user whose name and password these are, or null. `from` is the address group the
	 * login comes from; throws `E_RATE_LIMITED` when its line of the queue is full.
	 */
	check(name: unknown, password: unknown, from: string): Promise<UserOptions | null>;
	/** The user of that name, for session tokens; not a login, so not constant time. */
	find(name: string): UserOptions | undefined;
	/** Replaces the users list: the next login or token check sees the new one. */
	setUsers(users: readonly UserOptions[]): void;
	readonly users: readonly UserOptions[];
	/** Stops the worker; checks still waiting fail. */
	dispose(): void;
}

/** A bcrypt hash for `auth.users[].passwordHash` (what `npx sockscope hash-password` prints). */
export function hashPassword(password: string, cost = BCRYPT_COST): Promise<string> {
	return bcrypt.hash(password, cost);
}

export function createPasswordCheck(initial: readonly UserOptions[]): PasswordCheck {
	let users: readonly UserOptions[] = [];
	let digests: { user: UserOptions; digest: Buffer }[] = [];
	let byName = new Map<string, UserOptions>();
	const pool = createHashPool();
	let calibrating: Promise<unknown> | undefined;

	function setUsers(list: readonly UserOptions[]): void {
		users = list.map((user) => ({ ...user }));
		digests = users.map((user) => ({ user, digest: digest(user.name) }));
		byName = new Map(users.map((user) => [user.name, user]));
	}
	setUsers(initial);

	/**
	 * One real compare, once, whose duration seeds what unknown names wait: a wrong password
	 * against a real user's hash, so that it costs what that user's logins cost.
	 */
	function calibrate(): Promise<unknown> {
		const hash = users[0]?.passwordHash;
		if (!hash) return Promise.resolve();
		calibrating ??= pool.compare(randomBytes(16).toString('hex'), hash, CALIBRATION).catch((err) => {
			// Tried again by the next unknown name, not kept as a rejection forever.
			calibrating = undefined;
			throw err;
		});
		return calibrating;
	}

	return {
		async check(name, password, from) {
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
			if (!valid || !found) {
				await pool.hold(from, calibrate);
				return null;
			}
			return (await pool.compare(password as string, found.passwordHash, from)) ? found : null;
		},
		find: (name) => byName.get(name),
		setUsers,
		get users() {
			return users;
		},
		dispose: () => pool.dispose()
	};
}

function digest(text: string): Buffer {
	return createHash('sha256').update(text).digest();
}
