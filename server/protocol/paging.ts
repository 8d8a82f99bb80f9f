/**
 * Keyset paging, shared by every producer of pages (the agent, its cluster merge, the admin-ui
 * connector) so that their pages and cursors agree. A row's key is its sort value and a unique
 * tie-break; a cursor is the last row's key. Unlike an offset, it stays correct while rows come
 * and go, and it lets the pages of several nodes be merged.
 */
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './limits.js';
import type {
	NamespaceSummary,
	NamespacesQuery,
	Page,
	RoomRow,
	RoomsQuery,
	SocketRow,
	SocketsQuery
} from './models.js';
import { DEFAULT_SOCKET_SORT, type SocketSortKey } from './vocabulary.js';

export type SortValue = string | number;
export type RowKey = readonly [SortValue, string];

/** Orders keys by sort value, then by tie-break. */
export function compareKeys(a: RowKey, b: RowKey): number {
	return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** The rows a page holds: the query's limit, or the default, never more than the maximum. */
export function pageSize(limit: number | undefined): number {
	return Math.min(limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
}

export function encodeCursor(key: RowKey): string {
	return JSON.stringify(key);
}

/** The key a cursor carries, or null when it is not a cursor `encodeCursor` made. */
export function decodeCursor(cursor: string): RowKey | null {
	try {
		const key: unknown = JSON.parse(cursor);
		if (
			Array.isArray(key) &&
			key.length === 2 &&
			(typeof key[0] === 'string' || typeof key[0] === 'number') &&
			typeof key[1] === 'string'
		) {
			return [key[0], key[1]];
		}
	} catch {
		// Not JSON: not a cursor.
	}
	return null;
}

/** `items` sorted by key, each key computed once rather than once per comparison. */
export function sortedByKey<T>(items: Iterable<T>, key: (item: T) => RowKey, desc: boolean): T[] {
	const sign = desc ? -1 : 1;
	const keyed = Array.from(items, (item) => ({ item, k: key(item) }));
	keyed.sort((a, b) => sign * compareKeys(a.k, b.k));
	return keyed.map((x) => x.item);
}

/**
 * The page of `sorted` (sorted by `key` in that direction) that follows the row keyed `after`:
 * found by binary search, so paging through a long list costs O(log n) a page. `hasMore` says
 * that rows exist beyond `sorted` (a merge of pages that were cut).
 */
export function pageAfter<T, R>(
	sorted: readonly T[],
	key: (item: T) => RowKey,
	desc: boolean,
	after: RowKey | undefined,
	limit: number | undefined,
	toRow: (item: T) => R,
	hasMore = false
): Page<R> {
	const size = pageSize(limit);
	const sign = desc ? -1 : 1;
	let start = 0;
	if (after !== undefined) {
		let end = sorted.length;
		while (start < end) {
			const mid = (start + end) >> 1;
			if (sign * compareKeys(key(sorted[mid]), after) > 0) end = mid;
			else start = mid + 1;
		}
	}
	const rows = sorted.slice(start, start + size);
	const last = rows.at(-1);
	return {
		rows: rows.map(toRow),
		total: sorted.length,
		nextCursor:
			(start + size < sorted.length || hasMore) && last !== undefined
				? encodeCursor(key(last))
				: null,
		missingNodes: []
	};
}

/** The tie-break of a row in a namespace: unique, and the same on every node. */
export function rowId(namespace: string, name: string): string {
	return `${namespace}#${name}`;
}

/** The sort a sockets query asks for, or the default. */
export function socketSortOf(query: SocketsQuery): SocketSortKey {
	return query.sort ?? DEFAULT_SOCKET_SORT;
}

/** A socket row's key; a socket without a round-trip yet sorts as -1. */
export function socketRowKey(row: SocketRow, sort: SocketSortKey): RowKey {
	return [sort === 'rtt' ? (row.rtt ?? -1) : row[sort], rowId(row.namespace, row.id)];
}

/** A room row's key: by size (largest first unless asked otherwise) or by name. */
export function roomRowKey(row: RoomRow, query: RoomsQuery): RowKey {
	return [(query.sort ?? 'size') === 'size' ? row.size : row.name, rowId(row.namespace, row.name)];
}

/** Rooms sort largest first by default, and by name in ascending order. */
export function roomsDescending(query: RoomsQuery): boolean {
	return (query.order ?? ((query.sort ?? 'size') === 'size' ? 'desc' : 'asc')) === 'desc';
}

/** A namespace row's key: by a figure (sockets unless asked otherwise) or by name; names are unique. */
export function namespaceRowKey(row: NamespaceSummary, query: NamespacesQuery): RowKey {
	const sort = query.sort ?? 'sockets';
	return [sort === 'name' ? row.name : row[sort], row.name];
}

/** Namespaces sort by a figure largest first by default, and by name in ascending order. */
export function namespacesDescending(query: NamespacesQuery): boolean {
	return (query.order ?? ((query.sort ?? 'sockets') === 'name' ? 'asc' : 'desc')) === 'desc';
}

/** A disconnect's key: when it happened, then its cluster-wide unique key; pages run newest first. */
export function disconnectKey(entry: { t: number; key: string }): RowKey {
	return [entry.t, entry.key];
}
