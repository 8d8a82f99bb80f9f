/**
 * The agent's queries, answered in the page from the socket index: the same filters, sort orders
 * and keyset cursors (the last row's sort value and id) as the agent's, so the pages cannot tell
 * the sources apart. A sorted list is reused while the index and the query stay the same, so
 * scrolling through thousands of sockets sorts them once, not once per page.
 */
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '$protocol/limits';
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
import { RequestError } from '../connector';
import type { IndexedSocket, SocketIndex } from './socket-index';

type Key = [string | number, string];

/** Event counts change without re-indexing: a list sorted by them is reused this long at most. */
const COUNTS_TTL_MS = 1000;

const NOT_REPORTED = '[not sent by @socket.io/admin-ui]';

function compare(a: Key, b: Key): number {
	return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

function encodeCursor(key: Key): string {
	return JSON.stringify(key);
}

function decodeCursor(cursor: string): Key {
	try {
		const key = JSON.parse(cursor);
		if (Array.isArray(key) && key.length === 2 && typeof key[1] === 'string') return key as Key;
	} catch {
		// Falls through to the error below.
	}
	throw new RequestError('E_VALIDATION', 'Not a cursor this page issued.');
}

/** The page after `cursor` of rows already sorted by `key` in `sign` order (1 or -1). */
function pageOf<T, R>(
	sorted: T[],
	key: (item: T) => Key,
	sign: number,
	cursor: string | undefined,
	limit: number | undefined,
	toRow: (item: T) => R
): Page<R> {
	const size = Math.min(limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
	let start = 0;
	if (cursor !== undefined) {
		const after = decodeCursor(cursor);
		let hi = sorted.length;
		while (start < hi) {
			const mid = (start + hi) >> 1;
			if (sign * compare(key(sorted[mid]), after) > 0) hi = mid;
			else start = mid + 1;
		}
	}
	const slice = sorted.slice(start, start + size);
	const last = slice.at(-1);
	return {
		rows: slice.map(toRow),
		total: sorted.length,
		nextCursor: start + size < sorted.length && last ? encodeCursor(key(last)) : null,
		missingNodes: []
	};
}

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
		const sort = query.sort ?? 'connectedAt';
		const sign = query.order === 'desc' ? -1 : 1;
		const key = (s: IndexedSocket): Key => [sortValue(s, sort), `${s.namespace}#${s.id}`];
		const node = this.nodeOf();
		if (query.nodeId !== undefined && query.nodeId !== node) {
			return { rows: [], total: 0, nextCursor: null, missingNodes: [] };
		}
		const sorted = this.#sortedSockets(query, key, sign);
		return pageOf(sorted, key, sign, query.cursor, query.limit, (s) => this.row(s, node));
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
		const sort = query.sort ?? 'size';
		const sign = (query.order ?? (sort === 'size' ? 'desc' : 'asc')) === 'desc' ? -1 : 1;
		const key = (r: RoomRow): Key => [
			sort === 'size' ? r.size : r.name,
			`${r.namespace}#${r.name}`
		];
		rows.sort((a, b) => sign * compare(key(a), key(b)));
		return pageOf(rows, key, sign, query.cursor, query.limit, (r) => r);
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
		key: (s: IndexedSocket) => Key,
		sign: number
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
		// Keys computed once, not once per comparison: thousands of sockets sort in a few ms.
		const keyed = rows.map((s) => ({ s, k: key(s) }));
		keyed.sort((a, b) => sign * compare(a.k, b.k));
		const sorted = keyed.map((x) => x.s);
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
