/**
 * Reconnection and refusals as every connector reports them. socket.io-client's own reconnection
 * stops after a server-side disconnect, which is what a restarting server sends, so connectors
 * retry themselves, with backoff, and say when the next attempt starts. The wording is shared so
 * that a wrong password or an unreachable server reads the same whichever protocol is spoken.
 */
import { backoffDelay } from './backoff';
import type { ConnectionProblem, ConnectorListener } from './connector';

export const AUTH_INVALID: ConnectionProblem = {
	kind: 'auth-invalid',
	message: 'Wrong user name or password.'
};

export const TOKEN_EXPIRED: ConnectionProblem = {
	kind: 'token-expired',
	message: 'Your session has ended. Please log in again.'
};

export const UNREACHABLE = 'The server cannot be reached.';

/** What to say after socket.io's `disconnect`, or null when we closed it ourselves. */
export function dropMessage(reason: string): string | null {
	if (reason === 'io client disconnect') return null;
	return reason === 'io server disconnect'
		? 'The server closed the connection.'
		: 'Connection lost.';
}

export class Reconnector {
	#attempt = 0;
	#timer: ReturnType<typeof setTimeout> | undefined;

	constructor(private readonly connect: () => void) {}

	/** The connection is up: the next drop starts again from the shortest delay. */
	succeeded(): void {
		this.#attempt = 0;
	}

	/** Schedules the next attempt and tells the listener when it starts. */
	retry(listener: ConnectorListener | null, message: string): void {
		clearTimeout(this.#timer);
		const delay = backoffDelay(this.#attempt++);
		listener?.status('reconnecting', { kind: 'unreachable', message, retryAt: Date.now() + delay });
		this.#timer = setTimeout(this.connect, delay);
	}

	/** Tries at once instead of waiting for the next step. */
	now(listener: ConnectorListener | null): void {
		clearTimeout(this.#timer);
		listener?.status('connecting', null);
		this.connect();
	}

	cancel(): void {
		clearTimeout(this.#timer);
		this.#attempt = 0;
	}
}
