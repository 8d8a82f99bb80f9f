/**
 * What the dashboard needs of a source of data: a live stream (snapshot, samples, log, audit) and
 * request/answer calls. The model and the pages speak only to this interface, so a second source
 * (the `/admin` protocol of @socket.io/admin-ui) can be plugged in beside the native one.
 */
import type { AuditEntry, CommandMap, CommandName } from '$protocol/commands';
import type { QueryName, RequestInput, RequestResult, SessionGrant } from '$protocol/events';
import type { Feature, LogBatch, Sample, Snapshot } from '$protocol/models';
import type { WindowUpdate } from '$protocol/windows';

/** The protocols the dashboard speaks: Sockscope's own, and @socket.io/admin-ui's `/admin`. */
export type SourceKind = 'sockscope' | 'admin-ui';

/** Where the agent is: the server's origin, the admin namespace and socket.io's HTTP path. */
export interface Target {
	url: string;
	namespace: string;
	path: string;
	/** Which protocol to speak there; absent: Sockscope's. */
	kind?: SourceKind;
	/** Never fall back to HTTP long-polling (admin-ui's "WebSocket only" option). */
	websocketOnly?: boolean;
}

/**
 * What a page part may need from a source: the agent's features, plus figures that Sockscope's
 * agent always reports but other sources may not (process health, refused connections, paged
 * server-side queries).
 */
export type Capability =
	| Feature
	| 'process'
	| 'refused'
	| 'paged'
	/** Acknowledgement latency and timeouts per event. */
	| 'acks'
	/** Connections refused by middleware or failed at the engine, by code. */
	| 'connection-errors';

/** Why a source lacks a capability, and what Sockscope's agent would add. */
export interface Gap {
	reason: string;
	hint?: string;
	/** A few words for a tile or a table cell, e.g. `not in admin-ui`. */
	short?: string;
}

/** The source a connector is connected to, as the pages describe it. */
export interface SourceInfo {
	kind: SourceKind;
	/** E.g. `@socket.io/admin-ui · development mode`. */
	label: string;
	/** What this source cannot give, beyond the features it leaves out of its snapshot. */
	gaps: Partial<Record<Capability, Gap>>;
}

export const NATIVE_SOURCE: SourceInfo = { kind: 'sockscope', label: 'Sockscope agent', gaps: {} };

/** How the dashboard proves who it is: a password login, a session token, or nothing. */
export type Credentials = { user: string; password: string } | { token: string } | null;

export type ConnectionStatus =
	| 'idle'
	| 'connecting'
	| 'connected'
	| 'reconnecting'
	/** The agent refused us (auth, rate limit) or we refused it (protocol version): no retry. */
	| 'refused';

/** Why the connection is not up, in words an operator can act on. */
export interface ConnectionProblem {
	kind:
		| 'auth-invalid'
		| 'auth-required'
		| 'auth-disabled'
		| 'rate-limited'
		| 'token-expired'
		| 'unreachable'
		| 'protocol'
		| 'other';
	message: string;
	/** For `rate-limited`: seconds until the agent accepts another attempt. */
	retryAfter?: number;
	/** For `unreachable`: when the next attempt starts (epoch milliseconds). */
	retryAt?: number;
}

export interface ConnectorListener {
	status(status: ConnectionStatus, problem: ConnectionProblem | null): void;
	snapshot(snapshot: Snapshot): void;
	sample(sample: Sample): void;
	log(batch: LogBatch): void;
	audit(entry: AuditEntry): void;
	grant(grant: SessionGrant): void;
	/** A change to the watched sockets window; only sources that page on the server send them. */
	window?(update: WindowUpdate): void;
}

export type { QueryName };
export type QueryInput<K extends QueryName> = RequestInput<K>;
export type QueryResult<K extends QueryName> = RequestResult<K>;

/** An `{ error }` acknowledgement, or no answer in time, as a thrown value. */
export class RequestError extends Error {
	constructor(
		readonly code: string,
		message: string,
		/** For `E_RATE_LIMITED`: seconds until the request may be sent again, when the source said. */
		readonly retryAfter?: number
	) {
		super(message);
		this.name = 'RequestError';
	}
}

export interface Connector {
	/** Which protocol this connector speaks; shown in the status bar. */
	readonly kind: string;
	/** What the connected source is and lacks; read with each snapshot. */
	readonly source: SourceInfo;
	/** Connects and keeps reconnecting (with backoff) until `close()` or a refusal. */
	open(target: Target, credentials: Credentials, listener: ConnectorListener): void;
	/** A query, answered through its acknowledgement; throws `RequestError` on `{ error }`. */
	query<K extends QueryName>(event: K, input: QueryInput<K>): Promise<QueryResult<K>>;
	/** An admin command; throws `RequestError` on `{ error }`. */
	command<K extends CommandName>(
		event: K,
		input: CommandMap[K]['input']
	): Promise<CommandMap[K]['result']>;
	/** Tries at once instead of waiting for the next backoff step. */
	retryNow(): void;
	close(): void;
}
