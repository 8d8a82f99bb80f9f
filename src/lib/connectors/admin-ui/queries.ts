/**
 * The agent's queries, answered in the page from the socket index: the same filters, sort orders
 * and keyset cursors (the last row's sort value and id) as the agent's, so the pages cannot tell
 * the sources apart. A sorted list is reused while the index and the query stay the same, so
 * scrolling through thousands of sockets sorts them once, not once per page.
 */
import type {
	MembersQuery,
	Page,
	RoomRow,
	RoomsQuery,
	SocketDetails,
	SocketRow,
	SocketSortKey,
	SocketsQuery
} from '$protocol/models';
import {
	decodeCursor,
	pageAfter,
	roomRowKey,
	roomsDescending,
	rowId,
	socketSortOf,
	sortedByKey,
	type RowKey
} from '$protocol/paging';
import { RequestError } from '../connector';
import type { IndexedSocket, SocketIndex } from './socket-index';

/** Event counts change without re-indexing: a list sorted by them is reused this long at most. */
const COUNTS_TTL_MS = 1000;

const NOT_REPORTED = '[not sent by @socket.io/admin-ui]';

/** The page of `sorted` after `cursor`, which must be one this page issued. */
export function pageOf<T, R>(
	sorted: T[],
	key: (item: T) => RowKey,
	desc: boolean,
	cursor: string | undefined,
	limit: number | undefined,
	toRow: (item: T) => R
): Page<R> {
	const after = cursor === undefined ? undefined : decodeCursor(cursor);
	if (after === null) throw new RequestError('E_VALIDATION', 'Not a cursor this page issued.');
	return pageAfter(sorted, key, desc, after, limit, toRow);
}

/** admin-ui sends no round-trips and no bytes: those sort as the rows show them. */
function sortValue(s: IndexedSocket, sort: SocketSortKey): string | number {
	switch (sort) {
		case 'rtt':
			return -1;
		case 'bytesIn':
		case 'bytesOut':
			return 0;
		default:
			return s[sort];
	}
}

export class IndexQueries {
	#sorted: { signature: string; version: number; at: number; rows: IndexedSocket[] } | null = null;

	constructor(
		private readonly index: SocketIndex,
		/** The server a socket lives on, when it can be known (a single server). */
		private readonly nodeOf: () => string
	) {}

	sockets(query: SocketsQuery): Page<SocketRow> {
		const sort = socketSortOf(query);
		const desc = query.order === 'desc';
		const key = (s: IndexedSocket): RowKey => [sortValue(s, sort), rowId(s.namespace, s.id)];
		const node = this.nodeOf();
		if (query.nodeId !== undefined && query.nodeId !== node) {
			return { rows: [], total: 0, nextCursor: null, missingNodes: [] };
		}
		const sorted = this.#sortedSockets(query, key, desc);
		return pageOf(sorted, key, desc, query.cursor, query.limit, (s) => this.row(s, node));
	}

	members(query: MembersQuery): Page<SocketRow> {
		return this.sockets({ ...query, sort: 'id' });
	}

	rooms(query: RoomsQuery): Page<RoomRow> {
		const text = query.text?.toLowerCase();
		const rows: RoomRow[] = [];
		for (const [namespace, ns] of this.index.namespaces) {
			if (query.namespace !== undefined && namespace !== query.namespace) continue;
			for (const [name, members] of ns.rooms) {
				if (text === undefined || name.toLowerCase().includes(text))
					rows.push({ namespace, name, size: members.size });
			}
		}
		const key = (r: RoomRow) => roomRowKey(r, query);
		const desc = roomsDescending(query);
		return pageOf(sortedByKey(rows, key, desc), key, desc, query.cursor, query.limit, (r) => r);
	}

	details(namespace: string, id: string): SocketDetails {
		const s = this.index.get(namespace, id);
		if (!s) throw new RequestError('E_NOT_FOUND', `No socket ${id} in namespace ${namespace}.`);
		const h = s.handshake;
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries(h?.headers ?? {})) {
			if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
		}
		return {
			...this.row(s, this.nodeOf()),
			transports: [...s.transports],
			handshake: {
				headers,
				query: h?.query ?? {},
				auth: NOT_REPORTED,
				time: h?.time ?? '',
				secure: h?.secure ?? false,
				url: h?.url ?? '',
				xdomain: h?.xdomain ?? false
			},
			data: s.data,
			events: []
		};
	}

	row(s: IndexedSocket, nodeId: string): SocketRow {
		return {
			id: s.id,
			nodeId,
			namespace: s.namespace,
			rooms: [...s.rooms],
			address: s.address,
			transport: s.transport,
			userAgent: s.userAgent,
			connectedAt: s.connectedAt,
			rtt: null,
			eventsIn: s.eventsIn,
			eventsOut: s.eventsOut,
			bytesIn: 0,
			bytesOut: 0,
			dataKeys: Object.keys(s.data),
			// admin-ui has no labels.
			label: null
		};
	}

	/** The sockets matching the query's filter, sorted; reused while nothing changed. */
	#sortedSockets(
		query: SocketsQuery,
		key: (s: IndexedSocket) => RowKey,
		desc: boolean
	): IndexedSocket[] {
		const { namespace, room, transport, text, sort, order: direction } = query;
		const signature = JSON.stringify([namespace, room, transport, text, sort, direction]);
		const now = Date.now();
		const cached = this.#sorted;
		const counts = sort === 'eventsIn' || sort === 'eventsOut';
		if (
			cached?.signature === signature &&
			cached.version === this.index.version &&
			(!counts || now - cached.at < COUNTS_TTL_MS)
		) {
			return cached.rows;
		}
		const needle = text?.toLowerCase();
		const rows: IndexedSocket[] = [];
		for (const [name, ns] of this.index.namespaces) {
			if (namespace !== undefined && name !== namespace) continue;
			const ids = room !== undefined ? ns.rooms.get(room) : undefined;
			if (room !== undefined && !ids) continue;
			const candidates = ids ? [...ids].map((id) => ns.sockets.get(id)) : ns.sockets.values();
			for (const s of candidates) {
				if (!s || (transport !== undefined && s.transport !== transport)) continue;
				if (needle !== undefined && !matches(s, needle)) continue;
				rows.push(s);
			}
		}
		const sorted = sortedByKey(rows, key, desc);
		this.#sorted = { signature, version: this.index.version, at: now, rows: sorted };
		return sorted;
	}
}

function matches(s: IndexedSocket, text: string): boolean {
	return (
		s.id.toLowerCase().includes(text) ||
		s.address.toLowerCase().includes(text) ||
		s.userAgent.toLowerCase().includes(text)
	);
}
