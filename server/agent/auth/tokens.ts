/**
 * Session tokens: `payload.signature`, both base64url, the signature an HMAC-SHA256 of the payload.
 * They let a dashboard reconnect without sending its password again, and expire on their own.
 *
 * A token names what it was granted against: `v`, a keyed digest of the user's password hash,
 * role and namespaces at the time. Whoever checks a token (auth/index.ts, at connection, and the
 * admin namespace for open dashboards) compares it with the user as the list says now, so a
 * changed password or role, or a removed user, ends every session at once, on every node that
 * has the new list, with nothing to store. `iat` (when it was issued) lets an admin end the
 * sessions granted before a moment (`sessions:end`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SessionGrant } from '../../protocol/events.js';
import type { Principal } from '../../protocol/models.js';
import { AgentError } from '../base/errors.js';
import type { UserOptions } from '../options.js';

/** What a token carries; kept short, since it travels in every reconnect. */
interface Claims {
	/** Principal name, role and namespaces. */
	n: string;
	r: Principal['role'];
	ns?: string[];
	/** The user's version when granted (`TokenSigner.version`). */
	v: string;
	/** Issued, and expiry, in milliseconds since the epoch. */
	iat: number;
	exp: number;
}

const MAX_TOKEN_LENGTH = 8192;

/** What a session was granted against: checked again while it lasts. */
export interface Session {
	name: string;
	version: string;
	issuedAt: number;
}

export interface TokenSigner {
	issue(principal: Principal, version: string): SessionGrant & { issuedAt: number };
	/**
	 * The principal a token was issued to, what it was granted against, and when it expires;
	 * throws `E_TOKEN_INVALID` or `E_TOKEN_EXPIRED`.
	 */
	verify(token: unknown): Principal & Session & { expiresAt: number };
	/**
	 * The version of a user: 16 characters of an HMAC (keyed by the secret, so a token shows
	 * nothing of the hash) over the password hash, role and namespaces. Any change to them
	 * changes it.
	 */
	version(user: UserOptions): string;
}

export function createTokenSigner(secret: string | Buffer, ttlSeconds: number): TokenSigner {
	const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest();

	return {
		issue(principal, version) {
			const iat = Date.now();
			const claims: Claims = {
				n: principal.name,
				r: principal.role,
				v: version,
				iat,
				exp: iat + ttlSeconds * 1000
			};
			if (principal.namespaces) claims.ns = principal.namespaces;
			const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
			return {
				token: `${payload}.${sign(payload).toString('base64url')}`,
				expiresAt: claims.exp,
				issuedAt: iat
			};
		},
		verify(token) {
			if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
				throw new AgentError('E_TOKEN_INVALID');
			}
			const [payload, signature, extra] = token.split('.');
			if (!payload || !signature || extra !== undefined) throw new AgentError('E_TOKEN_INVALID');
			// One encoding only: Node's base64url decoder also takes padding, `+`, `/` and stray
			// characters, so decoding the given text would accept many spellings of one signature.
			// The expected text is compared instead, byte for byte.
			const given = Buffer.from(signature);
			const expected = Buffer.from(sign(payload).toString('base64url'));
			// Lengths are public (always 43 characters); only the bytes are compared in constant time.
			if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
				throw new AgentError('E_TOKEN_INVALID');
			}
			const claims = parseClaims(payload);
			if (claims.exp <= Date.now()) throw new AgentError('E_TOKEN_EXPIRED');
			return {
				name: claims.n,
				role: claims.r,
				...(claims.ns ? { namespaces: claims.ns } : {}),
				version: claims.v,
				issuedAt: claims.iat,
				expiresAt: claims.exp
			};
		},
		version(user) {
			return createHmac('sha256', secret)
				.update(
					JSON.stringify(['sockscope session v1', user.passwordHash, user.role, user.namespaces ?? null])
				)
				.digest('base64url')
				.slice(0, 16);
		}
	};
}

/** Claims of a correctly signed payload: only this agent (or a node with its secret) wrote them. */
function parseClaims(payload: string): Claims {
	try {
		const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Claims;
		const valid =
			typeof claims.n === 'string' && typeof claims.r === 'string' && typeof claims.v === 'string';
		if (valid && Number.isFinite(claims.exp) && Number.isFinite(claims.iat)) return claims;
	} catch {
		// Falls through: a signed payload that does not parse is a token from another version.
	}
	// Tokens of earlier versions carry no `v`: they are refused, and their dashboards log in again.
	throw new AgentError('E_TOKEN_INVALID');
}
