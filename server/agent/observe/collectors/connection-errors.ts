/**
 * Connections that never became sockets: engine.io's `connection_error` (a request it could not
 * serve: unknown transport or session id, bad handshake method, bad request, forbidden by
 * `allowRequest`) and `connect_error` answers (refused by a namespace's middleware, or a namespace
 * that does not exist). Counted by code, with the latest few kept as examples. Both are rare next
 * to traffic, so a little work and a string per error are fine.
 *
 * The agent chooses every code from a short fixed list: engine.io's and socket.io's own reasons,
 * each under its own code, and `refused` for any refusal by the host's middleware. The host's
 * message is the client's to shape (`next(new Error('denied: ' + input))`), so as a code it would
 * fill the table (a `/metrics` label, a sample key) until every later reason, a real one included,
 * was counted as `_other`; it is kept in the examples only, which are few and cut.
 */
import {
	MAX_CONNECTION_ERROR_CODES,
	MAX_NAME_IN_SAMPLE,
	OTHER_EVENTS,
	SAMPLE_CONNECTION_ERRORS
} from '../../../protocol/limits.js';
import type { ConnectionErrorExample, ConnectionErrorFigures } from '../../../protocol/models.js';

/** engine.io's error codes (`Server.errors`), in words. */
const ENGINE_CODES = [
	'unknown transport',
	'unknown session id',
	'bad handshake method',
	'bad request',
	'forbidden',
	'unsupported protocol version'
];

/** engine.io's own messages for those codes (`Server.errorMessages`): no need to keep them twice. */
const ENGINE_MESSAGES = new Set([
	'Transport unknown',
	'Session ID unknown',
	'Bad handshake method',
	'Bad request',
	'Forbidden',
	'Unsupported protocol version'
]);

/** socket.io's own `connect_error` messages, by the code each is counted under. */
const SOCKET_IO_MESSAGES = new Map([['Invalid namespace', 'invalid namespace']]);

/** A refusal by a namespace's middleware: the host's own message goes to the examples only. */
export const REFUSED = 'refused';

/** What engine.io passes with `connection_error`. */
interface EngineError {
	code?: unknown;
	message?: unknown;
	req?: { socket?: { remoteAddress?: string } };
}

/** An engine error's code: engine.io's own in words; any other engine's as a number, bounded. */
function engineCode(code: unknown): string {
	if (typeof code !== 'number' || !Number.isInteger(code)) return 'engine error';
	return ENGINE_CODES[code] ?? (code >= 0 && code < 100 ? `engine error ${code}` : 'engine error');
}

/** A message as an example keeps it: a string cut to the length of a name in a sample. */
function exampleMessage(message: unknown): string | undefined {
	if (typeof message !== 'string' || message === '') return undefined;
	return message.length > MAX_NAME_IN_SAMPLE
		? `${message.slice(0, MAX_NAME_IN_SAMPLE - 1)}…`
		: message;
}

export class ConnectionErrors {
	/** Per code, since the agent started. */
	readonly counts = new Map<string, number>();
	private readonly previous = new Map<string, number>();
	private readonly recent: ConnectionErrorExample[] = [];

	/** The `connection_error` listener of the engine.io server. */
	readonly onEngineError = (err: unknown): void => {
		try {
			const { code, message, req } = (err ?? {}) as EngineError;
			// `allowRequest` may give its own message with code 4 (forbidden): kept as an example.
			const own = typeof message === 'string' && !ENGINE_MESSAGES.has(message);
			this.add(
				engineCode(code),
				req?.socket?.remoteAddress ?? '',
				undefined,
				own ? message : undefined
			);
		} catch {
			// A malformed error object from another engine is simply not counted.
		}
	};

	/**
	 * A `connect_error` packet the server wrote (`44/chat,{"message":"not allowed"}`): socket.io's
	 * own message is its code, any other is `refused`; `namespace` absent when no such namespace
	 * exists.
	 */
	refused(packet: string, address: string, namespace?: string): void {
		let message: unknown;
		if (namespace !== undefined) {
			try {
				const brace = packet.indexOf('{');
				if (brace !== -1)
					message = (JSON.parse(packet.slice(brace)) as { message?: unknown }).message;
			} catch {
				// Not JSON: counted as a refusal without a message.
			}
		}
		this.refusedWith(message, address, namespace);
	}

	/** A refusal whose message was already read (a msgpack packet's, say). */
	refusedWith(message: unknown, address: string, namespace?: string): void {
		if (namespace === undefined) return this.add('invalid namespace', address);
		const own = typeof message === 'string' ? SOCKET_IO_MESSAGES.get(message) : undefined;
		if (own !== undefined) this.add(own, address, namespace);
		else this.add(REFUSED, address, namespace, message);
	}

	/** Counts one error under `code`, which the agent chose (never a client's text). */
	add(code: string, address: string, namespace?: string, message?: unknown): void {
		// A guard only: the codes above are a short list, well within the table.
		if (!this.counts.has(code) && this.counts.size >= MAX_CONNECTION_ERROR_CODES)
			code = OTHER_EVENTS;
		this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
		const example: ConnectionErrorExample = { t: Date.now(), address, code };
		if (namespace !== undefined) example.namespace = namespace;
		const text = exampleMessage(message);
		if (text !== undefined) example.message = text;
		this.recent.unshift(example);
		if (this.recent.length > SAMPLE_CONNECTION_ERRORS) this.recent.pop();
	}

	/** The interval's counts since the previous call, and the latest examples. */
	take(): ConnectionErrorFigures {
		const counts: Record<string, number> = {};
		for (const [code, n] of this.counts) {
			const d = n - (this.previous.get(code) ?? 0);
			if (d > 0) counts[code] = d;
			this.previous.set(code, n);
		}
		// No examples is no list at all: a sample streamed without one then reads the same whether
		// the list was left out as unchanged or there never was one (an empty list and a missing one
		// would rebuild differently from a stream of patches).
		return this.recent.length === 0 ? { counts } : { counts, recent: [...this.recent] };
	}
}
