/**
 * Payload types of the wire protocol between the agent and the dashboard. Plain data only: this
 * module is imported by both sides; its closed vocabularies come from vocabulary.ts.
 */
import type {
	HistoryRange,
	NamespaceSortKey,
	NodeLiveness,
	Role,
	RoomSortKey,
	SocketRef,
	SocketSortKey,
	SortOrder,
	Transport
} from './vocabulary.js';

export type { HistoryRange, Role, SocketRef, SocketSortKey, Transport };

/** Every acknowledgement: exactly one of `data` or `error`. */
export type Ack<T> = { data: T } | { error: AckError };

export interface AckError {
	/** A stable code from the agent's error table, e.g. `E_VALIDATION`, `E_FORBIDDEN`. */
	code: string;
	/** A sanitised, human-readable message. */
	message: string;
	/** For `E_RATE_LIMITED`: seconds until the request may be sent again. */
	retryAfter?: number;
}

/** Who a dashboard is logged in as. `namespaces` absent: every namespace. */
export interface Principal {
	name: string;
	role: Role;
	namespaces?: string[];
}

/** What the agent can do; a dashboard disables what is missing and says why. */
export type Feature =
	| 'sockets'
	| 'rooms'
	| 'events'
	| 'history'
	| 'bytes'
	| 'rtt'
	| 'commands'
	| 'audit'
	| 'metrics'
	| 'cluster'
	/** The record of recent disconnects (`disconnects:query`, `disconnects:patterns`). */
	| 'disconnects';

/** Per event name, cumulative: a namespace's events in a socket's details. */
export interface EventFigures {
	name: string;
	in: number;
	out: number;
	bytesIn: number;
	bytesOut: number;
}

/**
 * Per event name, in one sample interval. No bytes: no page shows an event's bytes per interval,
 * and with four namespaces they were a tenth of every sample.
 */
export type TopEventFigures = Pick<EventFigures, 'name' | 'in' | 'out'>;

export interface RoomSize {
	name: string;
	size: number;
}

/** Percentiles in milliseconds; `count` is how many values they summarise. */
export interface Percentiles {
	p50: number;
	p90: number;
	p99: number;
	max: number;
	count: number;
}

/** Sockets per transport, at the end of the interval. */
export type TransportCounts = Record<Transport, number>;

/** One namespace in one sample: levels now, and what happened during the interval. */
export interface NamespaceSample {
	name: string;
	sockets: number;
	rooms: number;
	transports: TransportCounts;
	/** New sockets; a recovered session is not one (see `recovered`). */
	connects: number;
	refused: number;
	disconnects: number;
	/**
	 * Sessions recovered by socket.io's connection state recovery: a socket whose transport dropped
	 * (counted once in `disconnects`, with its reason) came back with the same id and rooms.
	 */
	recovered: number;
	/** socket.io's own reason strings, e.g. `transport close`, `ping timeout`. */
	reasons: Record<string, number>;
	eventsIn: number;
	eventsOut: number;
	bytesIn: number;
	bytesOut: number;
	/** Broadcasts (`io.to(room).emit`, `socket.broadcast.emit`, …) and the deliveries they made. */
	broadcasts: number;
	broadcastRecipients: number;
	joins: number;
	leaves: number;
	/** The busiest event names of the interval, at most `SAMPLE_TOP_EVENTS`. */
	topEvents: TopEventFigures[];
	/** The largest rooms, at most `SAMPLE_TOP_ROOMS`. */
	topRooms: RoomSize[];
	/**
	 * In a cluster, this node's members of rooms that other nodes list among their largest and this
	 * one does not (none listed: none here), so that a room spanning nodes is summed over all of
	 * them. Absent when there are none.
	 */
	sharedRooms?: RoomSize[];
	/** Acknowledged events of the interval, the most answered first, at most `SAMPLE_TOP_ACKS`. */
	acks?: AckFigures[];
	/** Only on the row that folds namespaces together (`OTHER_NAMESPACES`): how many it folds. */
	namespaces?: number;
}

/** Which way an acknowledged event went: `in` is answered by the server, `out` by the client. */
export type AckDirection = 'in' | 'out';

/** Acknowledgements of one event name in one direction, during one sample interval. */
export interface AckFigures {
	name: string;
	direction: AckDirection;
	/** Acknowledgements received. */
	count: number;
	/**
	 * Acknowledgements not received within the agent's `ackTimeout`; absent when none (a sample
	 * carries these for every namespace each second, so what is usually nothing is left out).
	 */
	timeouts?: number;
	/** From the event's packet to its acknowledgement's, in milliseconds. */
	p50: number;
	p99: number;
	/** Absent when it is `p99`. */
	max?: number;
}

/** Connections that never became sockets, during one sample interval, and the latest few. */
export interface ConnectionErrorFigures {
	/** Per code: an engine.io `connection_error` (`unknown transport`, …), `invalid namespace`, or `refused` (by middleware). */
	counts: Record<string, number>;
	/**
	 * The latest examples, newest first, at most `SAMPLE_CONNECTION_ERRORS`; absent while there are
	 * none. Absent too from a streamed sample when they are the ones its node's previous sample
	 * carried: a dashboard keeps those, starting from its snapshot's.
	 */
	recent?: ConnectionErrorExample[];
}

/** One connection refused by middleware or failed at the engine. */
export interface ConnectionErrorExample {
	t: number;
	address: string;
	code: string;
	/** For a refusal by middleware: the namespace that refused. */
	namespace?: string;
	/**
	 * The refusal's own message (the host's middleware's, or `allowRequest`'s), cut: only here,
	 * never as a code, since a client can make it say anything.
	 */
	message?: string;
}

/** One socket's acknowledgements in one direction, since it connected. */
export interface SocketAckFigures {
	count: number;
	timeouts: number;
	/** Mean latency in milliseconds, or null before the first acknowledgement. */
	meanMs: number | null;
}

export interface ProcessHealth {
	/** Percent of one core used by the process during the interval. */
	cpu: number;
	rss: number;
	heapUsed: number;
	heapTotal: number;
	/** Event-loop utilisation during the interval, 0..1. */
	elu: number;
	/** Event-loop delay percentiles, in milliseconds. */
	loopDelay: Percentiles;
	uptime: number;
}

/** One node's sample: published once per interval, its size independent of the socket count. */
export interface Sample {
	nodeId: string;
	/** Milliseconds since the epoch, at the end of the interval. */
	t: number;
	/** Interval length in milliseconds. */
	interval: number;
	namespaces: NamespaceSample[];
	/**
	 * Namespaces beyond the `TOP_NAMESPACES` with the most sockets, folded together (no top lists),
	 * with their number in `namespaces`.
	 */
	otherNamespaces?: NamespaceSample;
	/** Heartbeat round-trip times of the sockets in view, from the engine's own ping/pong. */
	rtt: Percentiles;
	process: ProcessHealth;
	/**
	 * Exceptions caught inside the agent since it started; absent for a principal scoped to some
	 * namespaces: the agent's own health is the operator's, not a tenant's, business.
	 */
	faults?: number;
	/** How this node sees the cluster; absent on a single node (in-memory adapter). */
	cluster?: ClusterHealth;
	/** Refused and failed connections; absent from sources that cannot see them. */
	connectionErrors?: ConnectionErrorFigures;
}

export interface ClusterHealth {
	/** The adapter's constructor name, e.g. `RedisAdapter`. */
	adapter: string;
	/** Nodes this node hears from, itself included. */
	nodes: number;
	/** The other nodes heard from recently, and their liveness. */
	peers: NodeState[];
	/** False while other nodes' samples stop arriving (Redis unreachable, partition). */
	healthy: boolean;
	error?: string;
}

/** A node's liveness as one node sees it (see `livenessOf`). */
export interface NodeState {
	nodeId: string;
	state: NodeLiveness;
}

/**
 * History in columns: `t[i]` is the end of bucket `i`; every other array is aligned with it.
 * Rates are totals per bucket; levels are the value at the end of the bucket.
 */
export interface History {
	nodeId: string;
	/** Bucket length in milliseconds (1000 for recent minutes, coarser for hours). */
	step: number;
	t: number[];
	/**
	 * The `TOP_NAMESPACES` with the most sockets at the end of the range, and the others in view
	 * summed under `OTHER_NAMESPACES`. A count series that is 0 throughout is sent empty (`[]`):
	 * most namespaces of a multi-tenant app are idle most of the time.
	 */
	namespaces: Record<string, NamespaceSeries>;
	node: NodeSeries;
	/** Refused and failed connections per bucket, by code; only for principals who see every namespace. */
	connectionErrors?: Record<string, number[]>;
}

export interface NamespaceSeries {
	sockets: number[];
	rooms: number[];
	connects: number[];
	refused: number[];
	disconnects: number[];
	recovered: number[];
	eventsIn: number[];
	eventsOut: number[];
	bytesIn: number[];
	bytesOut: number[];
	reasons: Record<string, number[]>;
}

export interface NodeSeries {
	cpu: number[];
	rss: number[];
	heapUsed: number[];
	loopDelayP99: number[];
	rttP50: number[];
	rttP99: number[];
	websocket: number[];
	polling: number[];
}

export interface NodeInfo {
	nodeId: string;
	hostname: string;
	pid: number;
	startedAt: number;
	socketIoVersion: string;
	agentVersion: string;
	/** The adapter's constructor name, e.g. `Adapter`, `RedisAdapter`. */
	adapter: string;
}

/** Sent once on connect, and again on `state:resync`. */
export interface Snapshot {
	protocol: number;
	principal: Principal;
	features: Feature[];
	node: NodeInfo;
	/** The latest sample of every node the agent has heard from. */
	samples: Sample[];
	/** Recent history of this node at 1 s resolution. */
	history: History[];
	/**
	 * The `TOP_NAMESPACES` in view with the most sockets, with their totals since the agent started;
	 * `namespaces:query` pages through all of them.
	 */
	namespaces: NamespaceSummary[];
	/** The other namespaces in view, summed, with their number in `namespaces`; absent when none. */
	otherNamespaces?: NamespaceSummary;
	limits: { pageSize: number; logMaxPerSecond: number; payloads: boolean };
}

export interface NamespaceSummary {
	name: string;
	sockets: number;
	rooms: number;
	/** Cumulative since the agent started. */
	connects: number;
	disconnects: number;
	recovered: number;
	refused: number;
	eventsIn: number;
	eventsOut: number;
	bytesIn: number;
	bytesOut: number;
	/** Only on a row that sums namespaces (`OTHER_NAMESPACES`, `NamespacesPage.all`): how many. */
	namespaces?: number;
}

export interface NamespacesQuery {
	/** Case-insensitive substring of the name. */
	text?: string;
	/** Default `sockets`, largest first; `name` sorts in ascending order. */
	sort?: NamespaceSortKey;
	order?: SortOrder;
	cursor?: string;
	limit?: number;
	/** Only these namespaces (at most `MAX_PAGE_SIZE`): a cluster's second look at a page's rows. */
	names?: string[];
}

/** A page of namespaces, and every namespace the query matched summed into one row. */
export interface NamespacesPage extends Page<NamespaceSummary> {
	all: NamespaceSummary;
}

/** One row of the sockets table. */
export interface SocketRow {
	id: string;
	nodeId: string;
	namespace: string;
	rooms: string[];
	address: string;
	transport: Transport;
	userAgent: string;
	connectedAt: number;
	/** Last heartbeat round-trip in milliseconds, or null before the first pong. */
	rtt: number | null;
	eventsIn: number;
	eventsOut: number;
	bytesIn: number;
	bytesOut: number;
	/** Keys of `socket.data`. */
	dataKeys: string[];
	/** The agent's `label` option for this socket (a user name, a device), or null. */
	label: string | null;
}

export interface SocketDetails extends SocketRow {
	/** Transports in the order used, e.g. `['polling', 'websocket']`. */
	transports: Transport[];
	handshake: {
		headers: Record<string, string>;
		query: Record<string, unknown>;
		/** `handshake.auth`, or the string `[redacted]`. */
		auth: unknown;
		time: string;
		secure: boolean;
		url: string;
		xdomain: boolean;
	};
	/** `socket.data`: values where the agent's `redact` option allows them, `[redacted]` otherwise. */
	data: Record<string, unknown>;
	events: EventFigures[];
	/** Acknowledgements by direction, and how many are awaited now; absent when not tracked. */
	acks?: { in: SocketAckFigures; out: SocketAckFigures; pending: number };
}

export interface SocketsQuery {
	namespace?: string;
	room?: string;
	transport?: Transport;
	nodeId?: string;
	/** Case-insensitive substring of id, label, address or user agent. */
	text?: string;
	sort?: SocketSortKey;
	order?: SortOrder;
	/** From the previous page's `nextCursor`. */
	cursor?: string;
	/** At most `MAX_PAGE_SIZE`. */
	limit?: number;
}

export interface Page<T> {
	rows: T[];
	/** How many rows match the filter, across every node that answered. */
	total: number;
	nextCursor: string | null;
	/** Nodes that did not answer in time; their rows are missing. */
	missingNodes: string[];
}

export interface RoomRow {
	namespace: string;
	name: string;
	size: number;
	/** Per node, where the room has members: on a cluster only. */
	nodes?: Record<string, number>;
	/** Broadcasts to the room per second over the last sample interval, and their deliveries. */
	traffic?: { broadcasts: number; deliveries: number };
}

export interface RoomsQuery {
	namespace?: string;
	text?: string;
	sort?: RoomSortKey;
	order?: SortOrder;
	cursor?: string;
	limit?: number;
}

export interface MembersQuery {
	namespace: string;
	room: string;
	cursor?: string;
	limit?: number;
}

/**
 * A preset range ending now, or an absolute span in the agent's clock (ms since the epoch):
 * `from < to`, at most `HISTORY_KEPT.COARSE_MS` apart. A span inside the last `HISTORY_KEPT.FINE_MS`
 * comes at full resolution, an older one in coarse buckets; what is older than the kept history
 * comes empty.
 */
export type HistoryQuery = { range: HistoryRange } | HistorySpan;

/** An absolute time span, both ends in milliseconds since the epoch. */
export interface HistorySpan {
	from: number;
	to: number;
}

export interface RoomHistoryQuery {
	namespace: string;
	room: string;
	range: HistoryRange;
}

/**
 * A room's members over a range, summed over the nodes: `size[i]` at the end of bucket `t[i]`, null
 * where no node kept the room then (it was neither among its namespace's largest nor opened).
 */
export interface RoomHistory {
	step: number;
	t: number[];
	size: (number | null)[];
}

export interface LogFilter {
	namespace?: string;
	direction?: 'in' | 'out';
	room?: string;
	socket?: string;
	event?: string;
}

export interface LogEntry {
	t: number;
	nodeId: string;
	direction: 'in' | 'out';
	namespace: string;
	socket: string;
	event: string;
	bytes: number;
	/** The first arguments, truncated, only when the agent's options allow payloads. */
	args?: string;
	/** Identical (namespace, direction, event) entries folded into this row within a second; absent: 1. */
	count?: number;
	/** A broadcast (one entry, not one per recipient); `socket` is its sender, or empty. */
	broadcast?: LogBroadcast;
}

/** Where a broadcast went: its rooms (empty: the whole namespace), the rooms it left out, its deliveries on this node. */
export interface LogBroadcast {
	rooms: string[];
	except: string[];
	recipients: number;
}

/** A batch of the live event log, once a second. `dropped`: entries the rate cap left out, beyond those folded into counts. */
export interface LogBatch {
	entries: LogEntry[];
	dropped: number;
}

/** A socket's acknowledgements when it disconnected, both directions together. */
export interface DisconnectAcks {
	answered: number;
	timeouts: number;
	/** Acknowledgements still awaited when it went: the answers it never got or never gave. */
	awaited: number;
}

/** Who kicked a socket from a dashboard, and why, kept with its disconnect. */
export interface DisconnectKick {
	/** The login name of the dashboard user who ran the command. */
	by: string;
	reason?: string;
}

/**
 * A socket that disconnected, as its node's record of recent disconnects keeps it: what the
 * socket was when it went, strings cut to fixed lengths.
 */
export interface DisconnectEntry {
	/** When it disconnected, in milliseconds since the epoch. */
	t: number;
	/** Unique across the cluster (`nodeId#sequence`): the tie-break of rows disconnected in the same millisecond. */
	key: string;
	nodeId: string;
	id: string;
	label: string | null;
	namespace: string;
	address: string;
	userAgent: string;
	/** The rooms it was in, at most `DISCONNECT_ROOMS`; `roomCount` says how many there were. */
	rooms: string[];
	roomCount: number;
	connectedAt: number;
	/** How long it was connected, in milliseconds. */
	duration: number;
	/** Its transport at the end, and the transports in the order used, e.g. `['polling', 'websocket']`. */
	transport: Transport;
	transports: Transport[];
	/** Last heartbeat round-trip in milliseconds, or null before the first pong. */
	rtt: number | null;
	eventsIn: number;
	eventsOut: number;
	bytesIn: number;
	bytesOut: number;
	/** Absent when acknowledgements are not tracked or it never used one. */
	acks?: DisconnectAcks;
	/** socket.io's reason, e.g. `ping timeout`, and what it means (`DISCONNECT_REASONS`). */
	reason: string;
	description: string;
	/** Set when a dashboard kicked it (`socket:disconnect`, `room:disconnect`). */
	kick?: DisconnectKick;
}

/**
 * A row of the disconnects list: one disconnect, or consecutive disconnects of the same client
 * (label, or address without one) for the same reason folded together, newest first: a client
 * reconnecting every few seconds is one row with its count, not a page of them.
 */
export interface DisconnectRow extends DisconnectEntry {
	/** Disconnects in the row (1: a single one). */
	count: number;
	/** The median time connected of the row's sessions, in milliseconds. */
	medianDuration: number;
	/** When `count` > 1: every disconnect of the row, newest first (this row's own fields are the first's). */
	group?: DisconnectEntry[];
}

export interface DisconnectsQuery {
	/** Case-insensitive substring of label, id, address or reason. */
	text?: string;
	/** Exactly this reason, e.g. `ping timeout`. */
	reason?: string;
	namespace?: string;
	/** Disconnected at or after / before this time, milliseconds since the epoch. */
	since?: number;
	until?: number;
	/** From the previous page's `nextCursor`. */
	cursor?: string;
	/** Disconnects (not rows) per page, at most `MAX_PAGE_SIZE`. */
	limit?: number;
}

/** One client, named by exactly one of these. */
export type DisconnectPatternsQuery =
	| { label: string; address?: never; userAgent?: never }
	| { address: string; label?: never; userAgent?: never }
	| { userAgent: string; label?: never; address?: never };

/** How one client has been disconnecting over the last hour, across every node that answered. */
export interface DisconnectPatterns {
	/** The start of the hour looked at. */
	since: number;
	total: number;
	byReason: Record<string, number>;
	/** Disconnects per namespace. */
	namespaces: Record<string, number>;
	/** Time connected of each session, newest first, at most `DISCONNECT_PATTERN_SESSIONS`. */
	durations: number[];
	/** Median time connected over every session of the hour; null when there was none. */
	medianDuration: number | null;
	/** Nodes that did not answer in time. */
	missingNodes: string[];
}
