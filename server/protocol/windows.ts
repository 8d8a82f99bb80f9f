/**
 * The live window of the sockets page: the dashboard watches the rows it shows (plus a margin),
 * and each node sends only what changed in its part of them, at most once per sample interval.
 * Plain data and two pure helpers, shared by the agent and the dashboard so both order rows alike.
 */
import type { SocketRow, SocketSortKey, SocketsQuery } from './models.js';

/** The position of a row in a sorted list: its sort value, then `namespace#id` to break ties. */
export type RowKey = [string | number, string];

/** A query's filter and order, without paging: what a window is a window on. */
export type SocketsFilter = Omit<SocketsQuery, 'cursor' | 'limit'>;

/** Largest window a dashboard may watch. */
export const MAX_WINDOW = 200;

/** What a dashboard watches: `limit` rows of `query`, strictly after the row at `after`. */
export interface SocketsWindow {
	/** Chosen by the dashboard, echoed in every update, so updates of an older window are ignored. */
	watch: number;
	query: SocketsFilter;
	/** The key of the row just before the window; absent: the window starts at the first row. */
	after?: RowKey;
	/** At most `MAX_WINDOW`. */
	limit: number;
}

/** Where a row index lies in a list: the key of the row just before it (`sockets:seek`). */
export interface SocketsSeek {
	query: SocketsFilter;
	/** The index of the first row wanted; its predecessor's key is the answer. */
	offset: number;
}

/** The figures of a row that change while it is watched: `[namespace#id, rtt, in, out, bytesIn, bytesOut]`. */
export type FigureChange = [string, number | null, number, number, number, number];

/** One node's changes to its part of a watched window; sent only when something changed. */
export interface WindowUpdate {
	watch: number;
	nodeId: string;
	/** The node's first update of this watch: its rows replace what it sent before. */
	reset: boolean;
	/** The node's rows matching the query, in all and before the window. */
	total: number;
	before: number;
	/** Rows new to the window, or whose rooms or transport changed, in full. */
	rows: SocketRow[];
	/** Rows already sent whose figures changed. */
	figures: FigureChange[];
	/** `namespace#id` of rows that left the window (disconnected, filtered out, or pushed out). */
	gone: string[];
}

/** A row's identity across namespaces and nodes. */
export function rowId(row: Pick<SocketRow, 'namespace' | 'id'>): string {
	return `${row.namespace}#${row.id}`;
}

/** The value a row is sorted by: a socket without an RTT yet sorts as -1. */
export function sortValueOf(row: SocketRow, sort: SocketSortKey): string | number {
	return sort === 'rtt' ? (row.rtt ?? -1) : row[sort];
}

/** Ascending order of keys; callers multiply by -1 for a descending list. */
export function compareKeys(a: RowKey, b: RowKey): number {
	return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}
