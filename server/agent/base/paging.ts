/**
 * The agent's pages: keyset paging (protocol/paging.ts) over any rows, keeping only the page in
 * order. Used by the queries of one node and by the cluster's merge of rooms, so both page alike.
 */
import type { Page, RoomRow, RoomsQuery } from '../../protocol/models.js';
import {
	compareKeys,
	decodeCursor,
	encodeCursor,
	pageSize,
	roomRowKey,
	roomsDescending,
	type RowKey
} from '../../protocol/paging.js';
import { AgentError } from './errors.js';

/**
 * One page of `items` in key order after `cursor`, which must be one this agent issued. Only the
 * page is kept in order (top-k), so a query costs O(n log k) for a page of k, not a sort of every
 * socket.
 */
export function pageOf<T, R>(
	items: Iterable<T>,
	key: (item: T) => RowKey,
	desc: boolean,
	cursor: string | undefined,
	limit: number | undefined,
	toRow: (item: T) => R,
	hasMore = false
): Page<R> {
	const page = new PageCollector(key, desc, cursor, limit, toRow);
	for (const item of items) page.offer(item);
	return page.result(hasMore);
}

/**
 * `pageOf` offered one item at a time, so that a query can read its items over several turns of
 * the event loop and keep only the page meanwhile.
 */
export class PageCollector<T, R> {
	private readonly after: RowKey | undefined;
	private readonly size: number;
	private readonly sign: 1 | -1;
	private total = 0;
	// One more than the page, to know whether another page follows.
	private readonly top: { item: T; k: RowKey }[] = [];

	constructor(
		private readonly key: (item: T) => RowKey,
		desc: boolean,
		cursor: string | undefined,
		limit: number | undefined,
		private readonly toRow: (item: T) => R
	) {
		const after = cursor === undefined ? undefined : decodeCursor(cursor);
		if (after === null)
			throw new AgentError('E_VALIDATION', 'cursor: not a cursor this agent issued');
		this.after = after;
		this.size = pageSize(limit);
		this.sign = desc ? -1 : 1;
	}

	offer(item: T): void {
		const { after, size, sign, top } = this;
		this.total++;
		const k = this.key(item);
		if (after !== undefined && sign * compareKeys(k, after) <= 0) return;
		if (top.length > size && sign * compareKeys(k, top[size].k) >= 0) return;
		let lo = 0;
		let hi = top.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (sign * compareKeys(top[mid].k, k) <= 0) lo = mid + 1;
			else hi = mid;
		}
		top.splice(lo, 0, { item, k });
		if (top.length > size + 1) top.pop();
	}

	result(hasMore = false): Page<R> {
		const rows = this.top.slice(0, this.size);
		const last = rows.at(-1);
		return {
			rows: rows.map((x) => this.toRow(x.item)),
			total: this.total,
			nextCursor:
				(this.top.length > this.size || hasMore) && last !== undefined
					? encodeCursor(last.k)
					: null,
			missingNodes: []
		};
	}
}

export function pageRooms(rows: RoomRow[], query: RoomsQuery): Page<RoomRow> {
	return pageOf(
		rows,
		(r) => roomRowKey(r, query),
		roomsDescending(query),
		query.cursor,
		query.limit,
		(r) => r
	);
}
