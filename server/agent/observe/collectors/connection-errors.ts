/**
 * Connections that never became sockets: engine.io's `connection_error` (a request it could not
 * serve: unknown transport or session id, bad handshake method, bad request, forbidden by
 * `allowRequest`) and `connect_error` answers (refused by a namespace's middleware, or a namespace
 * that does not exist). Counted by code, with the latest few kept as examples. Both are rare next
 * to traffic, so a little work and a string per error are fine; the codes are bounded.
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

/** What engine.io passes with `connection_error`. */
interface EngineError {
	code?: number;
	req?: { socket?: { remoteAddress?: string } };
}

export class ConnectionErrors {
	/** Per code, since the agent started. */
	readonly counts = new Map<string, number>();
	private readonly previous = new Map<string, number>();
	private readonly recent: ConnectionErrorExample[] = [];

	/** The `connection_error` listener of the engine.io server. */
	readonly onEngineError = (err: unknown): void => {
		try {
			const { code, req } = (err ?? {}) as EngineError;
			this.add(
				ENGINE_CODES[code ?? -1] ?? `engine error ${code}`,
				req?.socket?.remoteAddress ?? ''
			);
		} catch {
			// A malformed error object from another engine is simply not counted.
		}
	};

	/**
	 * A `connect_error` packet the server wrote (`44/chat,{"message":"not allowed"}`): its message
	 * is the code; `namespace` absent when no such namespace exists.
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
		if (namespace === undefined) this.add('invalid namespace', address);
		else
			this.add(typeof message === 'string' ? `refused: ${message}` : 'refused', address, namespace);
	}

	add(code: string, address: string, namespace?: string): void {
		if (code.length > MAX_NAME_IN_SAMPLE) code = `${code.slice(0, MAX_NAME_IN_SAMPLE - 1)}…`;
		if (!this.counts.has(code) && this.counts.size >= MAX_CONNECTION_ERROR_CODES)
			code = OTHER_EVENTS;
		this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
		const example: ConnectionErrorExample = { t: Date.now(), address, code };
		if (namespace !== undefined) example.namespace = namespace;
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
