/**
 * Merging the answers of several nodes into one: pages stay in order across nodes, and the nodes
 * that did not answer are named. Rooms are merged in room-answers.ts.
 */
import type { NamespaceSummary, Page, SocketRow, SocketsQuery } from '../../protocol/models.js';
import { pageAfter, socketRowKey, socketSortOf, sortedByKey } from '../../protocol/paging.js';

/**
 * Each node answered with its own first rows after the cursor; the merged page is the first
 * `limit` of them all, and there is more if any node had more or rows were left over.
 */
export function mergeSocketPages(
	pages: Page<SocketRow>[],
	query: SocketsQuery,
	missing: string[]
): Page<SocketRow> {
	const sort = socketSortOf(query);
	const key = (r: SocketRow) => socketRowKey(r, sort);
	const desc = query.order === 'desc';
	const rows = sortedByKey(
		pages.flatMap((p) => p.rows),
		key,
		desc
	);
	const merged = pageAfter(
		rows,
		key,
		desc,
		undefined,
		query.limit,
		(r) => r,
		pages.some((p) => p.nextCursor !== null)
	);
	return { ...merged, total: pages.reduce((n, p) => n + p.total, 0), missingNodes: missing };
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
		for (const key of [
			'sockets',
			'rooms',
			'connects',
			'disconnects',
			'recovered',
			'refused',
			'eventsIn',
			'eventsOut',
			'bytesIn',
			'bytesOut'
		] as const) {
			seen[key] += n[key];
		}
	}
	return [...byName.values()];
}
