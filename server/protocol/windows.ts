/**
 * The live window of the sockets page: the dashboard watches the rows it shows (plus a margin),
 * and each node sends only what changed in its part of them, at most once per sample interval.
 * Plain data; rows are ordered by the keys of paging.ts, on the agent and in the dashboard alike.
 */
import type { SocketRow, SocketsQuery } from './models.js';
import type { RowKey } from './paging.js';

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
	/**
	 * The key of the window's last row, once the dashboard has merged every node's part: each node
	 * then keeps only its rows up to it, so that a cluster holds the window's rows once in all,
	 * not once per node. Counted in `total` still. Sent again with the same `watch` to move it.
	 */
	until?: RowKey;
	/** At most `MAX_WINDOW`. */
	limit: number;
	/**
	 * For a list that shows neither rooms nor traffic (a room's members): rows come as `SlimRow`,
	 * are sent again only when their transport changed, and their figures only when the round-trip
	 * did. A busy room's members then cost their comings and goings, not every message they send.
	 * Sorted only by what a slim row carries (`SLIM_SORT_KEYS`).
	 */
	slim?: boolean;
}

/** A row of a slim window: what a room's member list shows of a socket. */
export type SlimRow = Pick<
	SocketRow,
	'id' | 'namespace' | 'address' | 'transport' | 'connectedAt' | 'rtt' | 'label'
>;

/** The sorts a slim window may have: those of its rows' fields. */
export const SLIM_SORT_KEYS = ['connectedAt', 'id', 'namespace', 'address', 'rtt'] as const;

/** Where a row index lies in a list: the key of the row just before it (`sockets:seek`). */
export interface SocketsSeek {
	query: SocketsFilter;
	/** The index of the first row wanted; its predecessor's key is the answer. */
	offset: number;
}

/**
 * The figures of a row that change while it is watched: `[namespace#id, rtt, in, out, bytesIn,
 * bytesOut]` (in a slim window, sent when the round-trip changed, the others as they are then).
 */
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
	/** Rows new to the window, or whose rooms or transport changed, in full (slim: `SlimRow`s). */
	rows: SocketRow[] | SlimRow[];
	/** Rows already sent whose figures changed. */
	figures: FigureChange[];
	/** `namespace#id` of rows that left the window (disconnected, filtered out, or pushed out). */
	gone: string[];
}
