/**
 * Session tokens: `payload.signature`, both base64url, the signature an HMAC-SHA256 of the payload.
 * They let a dashboard reconnect without sending its password again, and expire on their own.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SessionGrant } from '../../protocol/events.js';
import type { Principal } from '../../protocol/models.js';
import { AgentError } from '../base/errors.js';

/** What a token carries; kept short, since it travels in every reconnect. */
interface Claims {
	/** Principal name, role and namespaces. */
	n: string;
	r: Principal['role'];
	ns?: string[];
	/** Expiry, in milliseconds since the epoch. */
	exp: number;
}

const MAX_TOKEN_LENGTH = 8192;

export interface TokenSigner {
	issue(principal: Principal): SessionGrant;
	/** The principal a token was issued to, and when it expires; throws `E_TOKEN_INVALID` or `E_TOKEN_EXPIRED`. */
	verify(token: unknown): Principal & { expiresAt: number };
}

export function createTokenSigner(secret: string | Buffer, ttlSeconds: number): TokenSigner {
	const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest();

	return {
		issue(principal) {
			const claims: Claims = {
				n: principal.name,
				r: principal.role,
				exp: Date.now() + ttlSeconds * 1000
			};
			if (principal.namespaces) claims.ns = principal.namespaces;
			const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
			return { token: `${payload}.${sign(payload).toString('base64url')}`, expiresAt: claims.exp };
		},
		verify(token) {
			if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
				throw new AgentError('E_TOKEN_INVALID');
			}
			const [payload, signature, extra] = token.split('.');
			if (!payload || !signature || extra !== undefined) throw new AgentError('E_TOKEN_INVALID');
			const given = Buffer.from(signature, 'base64url');
			const expected = sign(payload);
			// Lengths are public (always 32 bytes); only the bytes are compared in constant time.
			if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
				throw new AgentError('E_TOKEN_INVALID');
			}
			const claims = parseClaims(payload);
			if (claims.exp <= Date.now()) throw new AgentError('E_TOKEN_EXPIRED');
			const principal = {
				name: claims.n,
				role: claims.r,
				...(claims.ns ? { namespaces: claims.ns } : {})
			};
			return { ...principal, expiresAt: claims.exp };
		}
	};
}

/** Claims of a correctly signed payload: only this agent (or a node with its secret) wrote them. */
function parseClaims(payload: string): Claims {
	try {
		const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Claims;
		const valid = typeof claims.n === 'string' && typeof claims.r === 'string';
		if (valid && Number.isFinite(claims.exp)) return claims;
	} catch {
		// Falls through: a signed payload that does not parse is a token from another version.
	}
	throw new AgentError('E_TOKEN_INVALID');
}
