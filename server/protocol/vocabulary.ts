/**
 * The protocol's closed vocabularies, each declared once as data: the types are derived from these
 * lists, the agent's validation builds its enums from them, and the dashboard iterates them.
 */

/** Engine.io transports, in the order a connection may go through them. */
export const TRANSPORTS = ['websocket', 'polling', 'webtransport'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** Columns the sockets query can sort by. */
export const SOCKET_SORT_KEYS = [
	'connectedAt',
	'id',
	'namespace',
	'address',
	'rtt',
	'eventsIn',
	'eventsOut',
	'bytesIn',
	'bytesOut'
] as const;
export type SocketSortKey = (typeof SOCKET_SORT_KEYS)[number];
/** The sort of a sockets query that gives none: oldest first. */
export const DEFAULT_SOCKET_SORT: SocketSortKey = 'connectedAt';

/** Columns the rooms query can sort by. */
export const ROOM_SORT_KEYS = ['size', 'name'] as const;
export type RoomSortKey = (typeof ROOM_SORT_KEYS)[number];

/** Columns the namespaces query can sort by: the name, or a figure of `NamespaceSummary`. */
export const NAMESPACE_SORT_KEYS = [
	'sockets',
	'name',
	'rooms',
	'connects',
	'disconnects',
	'refused',
	'eventsIn',
	'eventsOut',
	'bytesIn',
	'bytesOut'
] as const;
export type NamespaceSortKey = (typeof NAMESPACE_SORT_KEYS)[number];

export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export const HISTORY_RANGES = ['1m', '5m', '15m', '1h', '6h'] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];

export const ROLES = ['admin', 'readonly'] as const;
export type Role = (typeof ROLES)[number];

/** A node's liveness, judged by how long ago its last sample arrived. */
export const NODE_STATES = ['up', 'stale', 'down'] as const;
export type NodeLiveness = (typeof NODE_STATES)[number];
/**
 * A node is stale after this long without a sample, and down after `DOWN_AFTER_MS`: eight missed
 * samples, so that a killed node is marked down within 9 s (its peers judge at each sample).
 */
export const STALE_AFTER_MS = 3000;
export const DOWN_AFTER_MS = 8000;

/** The liveness of a node whose last sample arrived `age` milliseconds ago. */
export function livenessOf(age: number): NodeLiveness {
	return age > DOWN_AFTER_MS ? 'down' : age > STALE_AFTER_MS ? 'stale' : 'up';
}

/**
 * Figures of a namespace that are levels (a value at an instant: in a bucket the latest wins);
 * every other figure of a sample is a count over its interval, summed across buckets and nodes.
 */
export const LEVEL_FIGURES = ['sockets', 'rooms'] as const;
/** The counts kept in history as well as in samples. */
export const SERIES_COUNT_FIGURES = [
	'connects',
	'refused',
	'disconnects',
	'recovered',
	'eventsIn',
	'eventsOut',
	'bytesIn',
	'bytesOut'
] as const;
export const COUNT_FIGURES = [
	...SERIES_COUNT_FIGURES,
	'broadcasts',
	'broadcastRecipients',
	'joins',
	'leaves'
] as const;
export type LevelFigure = (typeof LEVEL_FIGURES)[number];
export type CountFigure = (typeof COUNT_FIGURES)[number];

/** The name under which namespaces beyond a cap are folded together, in samples and history. */
export const OTHER_NAMESPACES = '(other namespaces)';

/** A socket, as every query and command names it. */
export interface SocketRef {
	namespace: string;
	id: string;
}

/**
 * socket.io's disconnect reasons (server side), each with what it tells an operator. A reason not
 * listed here (a newer socket.io, a custom adapter) is shown as it is, with no description.
 */
export const DISCONNECT_REASONS: Readonly<Record<string, string>> = {
	'transport close': 'the connection closed under the socket: the client went away, lost its network or changed it',
	'transport error': 'the connection failed with an error',
	'ping timeout': 'the client stopped answering heartbeats within pingTimeout: a frozen tab, a dead network, a stalled event loop',
	'client namespace disconnect': 'the client closed the socket itself (socket.disconnect() in the client)',
	'server namespace disconnect': 'the server closed the socket (socket.disconnect(), or a kick from the dashboard)',
	'server shutting down': 'the server was closing (io.close())',
	'forced close': 'the server closed the connection, for instance after an invalid packet from the client',
	'forced server close': 'the client did not join a namespace within connectTimeout',
	'parse error': 'the client sent a packet the server could not decode'
};

/** The description of a disconnect reason, or '' for one socket.io does not document. */
export function describeDisconnect(reason: string): string {
	return Object.hasOwn(DISCONNECT_REASONS, reason) ? DISCONNECT_REASONS[reason] : '';
}
