/** Every error code the agent uses, in one table: what a dashboard or operator is told. */
export const ERRORS = {
	E_OPTIONS: 'invalid option',
	E_AUTH_REQUIRED: 'authentication required',
	E_AUTH_INVALID: 'wrong user or password',
	E_AUTH_DISABLED: 'this agent has no way to log in configured',
	E_RATE_LIMITED: 'too many failed logins; try again later',
	E_TOKEN_INVALID: 'session token is invalid',
	E_TOKEN_EXPIRED: 'session token has expired',
	E_VALIDATION: 'invalid request',
	E_FORBIDDEN: 'not allowed for this user',
	E_NOT_FOUND: 'no such socket, room or namespace',
	E_ADMIN_NAMESPACE: "the agent's own namespace cannot be targeted",
	E_AUDIT: 'the audit store failed',
	E_INTERNAL: 'internal error'
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a stable code; its message is safe to show to a dashboard. */
export class AgentError extends Error {
	constructor(
		readonly code: ErrorCode,
		message: string = ERRORS[code],
		/** For `E_RATE_LIMITED`: seconds until another attempt is allowed. */
		readonly retryAfter?: number
	) {
		super(message);
		this.name = 'AgentError';
	}
}

/** The `{ error }` half of an acknowledgement; unknown errors never leak their message. */
export function toAckError(err: unknown): { code: string; message: string; retryAfter?: number } {
	if (err instanceof AgentError) {
		const { code, message, retryAfter } = err;
		return retryAfter === undefined ? { code, message } : { code, message, retryAfter };
	}
	return { code: 'E_INTERNAL', message: ERRORS.E_INTERNAL };
}
