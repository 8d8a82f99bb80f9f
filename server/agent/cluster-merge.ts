/**
 * Merging the answers of several nodes into one: pages stay in order across nodes, room sizes add
 * up, and the nodes that did not answer are named.
 */
import type { NamespaceSummary, Page, RoomRow, RoomsQuery, SocketRow, SocketsQuery } from '../protocol/models.js';
import { pageAfter, rowId, socketRowKey, socketSortOf, sortedByKey } from '../protocol/paging.js';
import { pageRooms } from './queries.js';

/**
 * Each node answered with its own first rows after the cursor; the merged page is the first
 * `limit` of them all, and there is more if any node had more or rows were left over.
 */
export function mergeSocketPages(pages: Page<SocketRow>[], query: SocketsQuery, missing: string[]): Page<SocketRow> {
	const sort = socketSortOf(query);
	const key = (r: SocketRow) => socketRowKey(r, sort);
	const desc = query.order === 'desc';
	const rows = sortedByKey(pages.flatMap((p) => p.rows), key, desc);
	const merged = pageAfter(rows, key, desc, undefined, query.limit, (r) => r, pages.some((p) => p.nextCursor !== null));
	return { ...merged, total: pages.reduce((n, p) => n + p.total, 0), missingNodes: missing };
}

/** Rooms of the same name in the same namespace are one room: their sizes add up, per node too. */
export function mergeRooms(lists: RoomRow[][], query: RoomsQuery, missing: string[]): Page<RoomRow> {
	// One node's rows (made for this answer) need no merge: no copy of every room, no key for each.
	if (lists.length === 1) return { ...pageRooms(lists[0], query), missingNodes: missing };
	const byKey = new Map<string, RoomRow>();
	for (const row of lists.flat()) {
		const key = rowId(row.namespace, row.name);
		const seen = byKey.get(key);
		if (!seen) {
			const traffic = row.traffic && { ...row.traffic };
			byKey.set(key, { ...row, nodes: { ...row.nodes }, ...(traffic && { traffic }) });
		} else {
			seen.size += row.size;
			Object.assign(seen.nodes!, row.nodes);
			if (row.traffic) {
				// Each node counts the broadcasts it sent and the deliveries it made.
				seen.traffic ??= { broadcasts: 0, deliveries: 0 };
				seen.traffic.broadcasts += row.traffic.broadcasts;
				seen.traffic.deliveries += row.traffic.deliveries;
			}
		}
	}
	return { ...pageRooms([...byKey.values()], query), missingNodes: missing };
}

/** Namespace totals summed over nodes. */
export function mergeNamespaces(lists: NamespaceSummary[][]): NamespaceSummary[] {
	const byName = new Map<string, NamespaceSummary>();
	for (const n of lists.flat()) {
		const seen = byName.get(n.name);
		if (!seen) {
			byName.set(n.name, { ...n });
			continue;
		}
		for (const key of ['sockets', 'rooms', 'connects', 'disconnects', 'refused', 'eventsIn', 'eventsOut', 'bytesIn', 'bytesOut'] as const) {
			seen[key] += n[key];
		}
	}
	return [...byName.values()];
}
