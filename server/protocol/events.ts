/**
 * Event names and their payloads, by direction. One line per event; the types are in models.ts
 * and commands.ts.
 */
import type {
	Ack,
	DisconnectPatterns,
	DisconnectPatternsQuery,
	DisconnectRow,
	DisconnectsQuery,
	History,
	HistoryQuery,
	LogBatch,
	LogFilter,
	MembersQuery,
	NamespacesPage,
	NamespacesQuery,
	Page,
	RoomHistory,
	RoomHistoryQuery,
	RoomRow,
	RoomsQuery,
	Sample,
	Snapshot,
	SocketDetails,
	SocketRef,
	SocketRow,
	SocketsQuery
} from './models.js';
import type { AuditEntry, AuditQuery, CommandMap, CommandName } from './commands.js';
import type { RowKey } from './paging.js';
import type { SamplePatch } from './samples.js';
import type { SocketsSeek, SocketsWindow, WindowUpdate } from './windows.js';

/** Events the agent sends to a dashboard. */
export interface AgentToDashboardEvents {
	/** Full state on connect and on request: protocol version, principal, samples, history. */
	'state:snapshot': (snapshot: Snapshot) => void;
	/** One node's sample, once per interval. */
	'stats:sample': (sample: Sample) => void;
	/** One node's sample as a patch of the previous, to dashboards that ask (`SAMPLES_AS_PATCHES`). */
	'stats:patch': (patch: SamplePatch) => void;
	/** A batch of the live event log, for dashboards subscribed with `log:subscribe`. */
	'log:batch': (batch: LogBatch) => void;
	/** After a password login: a session token to reconnect with instead of the password. */
	'session:grant': (grant: SessionGrant) => void;
	/** A new audit entry, live. */
	'audit:entry': (entry: AuditEntry) => void;
	/** One node's changes to the sockets window a dashboard watches (`sockets:watch`). */
	'sockets:window': (update: WindowUpdate) => void;
}

type Query<Q, R> = (query: Q, ack: (answer: Ack<R>) => void) => void;

/** Queries a dashboard may send; each is answered through its acknowledgement. */
export interface DashboardQueries {
	'state:resync': Query<Record<string, never>, Snapshot>;
	'sockets:query': Query<SocketsQuery, Page<SocketRow>>;
	'socket:details': Query<SocketRef, SocketDetails>;
	'rooms:query': Query<RoomsQuery, Page<RoomRow>>;
	'room:members': Query<MembersQuery, Page<SocketRow>>;
	'namespaces:query': Query<NamespacesQuery, NamespacesPage>;
	'history:query': Query<HistoryQuery, History[]>;
	/** A room's membership over a range; the agent keeps the room's history for an hour after. */
	'room:history': Query<RoomHistoryQuery, RoomHistory>;
	'log:subscribe': Query<LogFilter, { maxPerSecond: number; payloads: boolean }>;
	'log:unsubscribe': Query<Record<string, never>, true>;
	'audit:query': Query<AuditQuery, Page<AuditEntry>>;
	/** Recent disconnects, newest first, a client's consecutive ones for the same reason folded into one row. */
	'disconnects:query': Query<DisconnectsQuery, Page<DisconnectRow>>;
	/** How one client (a label, an address or a user agent) has been disconnecting over the last hour. */
	'disconnects:patterns': Query<DisconnectPatternsQuery, DisconnectPatterns>;
	/** Watches a window of the sockets list; it replaces the dashboard's previous window. */
	'sockets:watch': Query<SocketsWindow, { watch: number }>;
	'sockets:unwatch': Query<Record<string, never>, true>;
	/** The key of the row just before an index, to watch a window there; null at the start. */
	'sockets:seek': Query<SocketsSeek, RowKey | null>;
}

/** Commands a dashboard may send: authorised, validated and audited before anything happens. */
export type DashboardCommands = {
	[K in CommandName]: Query<CommandMap[K]['input'], CommandMap[K]['result']>;
};

export type DashboardToAgentEvents = DashboardQueries & DashboardCommands;

export type QueryName = keyof DashboardQueries;
/** Every request a dashboard may send: queries and commands, by their event names. */
export type RequestName = keyof DashboardToAgentEvents;
/** The payload of a request. */
export type RequestInput<K extends RequestName> = Parameters<DashboardToAgentEvents[K]>[0];
/** What a request's acknowledgement carries as `data`. */
export type RequestResult<K extends RequestName> =
	Parameters<Parameters<DashboardToAgentEvents[K]>[1]>[0] extends infer A
		? A extends { data: infer D }
			? D
			: never
		: never;

/** `connect_error` data the agent attaches when it refuses a dashboard. */
export interface ConnectRefusal {
	code: 'E_AUTH_REQUIRED' | 'E_AUTH_INVALID' | 'E_RATE_LIMITED' | 'E_TOKEN_INVALID' | 'E_TOKEN_EXPIRED' | 'E_AUTH_DISABLED';
	message: string;
	/** For `E_RATE_LIMITED`: seconds until another attempt is allowed. */
	retryAfter?: number;
}

/** Sent right after a successful password login, so the dashboard can reconnect without it. */
export interface SessionGrant {
	token: string;
	expiresAt: number;
}
