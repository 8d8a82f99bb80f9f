/**
 * Answers to dashboard queries, computed on demand from the live sockets and the adapter's rooms:
 * pages with filter, sort and a keyset cursor (protocol/paging.ts), so that the pages of several
 * nodes can be merged (see cluster fan-out).
 */
import { MAX_ROOM_NAME } from '../../protocol/limits.js';
import type {
	NamespaceSummary,
	NamespacesPage,
	NamespacesQuery,
	Page,
	Principal,
	RoomRow,
	RoomsQuery,
	SocketDetails,
	SocketRow,
	SocketSortKey,
	SocketsQuery
} from '../../protocol/models.js';
import type { NamespaceSortKey } from '../../protocol/vocabulary.js';
import {
	compareKeys,
	decodeCursor,
	encodeCursor,
	namespacesDescending,
	pageAfter,
	pageSize,
	rowId,
	socketSortOf,
	type RowKey,
	type SortValue
} from '../../protocol/paging.js';
import type { SlimRow, SocketsFilter } from '../../protocol/windows.js';
import { BoundedSelection } from './bounded-selection.js';
import { ScanTurns, type TurnLane } from '../base/scan-turns.js';
import { PageCollector } from '../base/paging.js';
import { emptyNamespaceSummary } from '../../protocol/samples.js';
import { OTHER_NAMESPACES } from '../../protocol/vocabulary.js';
import { AgentError } from '../base/errors.js';
import type { NamespaceStats, NodeModel, SocketState } from '../observe/model.js';
import { canSee } from '../base/scope.js';
import { socketAcks } from '../observe/collectors/acks.js';
import type { Options } from '../options.js';
import { truncateName } from '../../protocol/top-n.js';
import { redactHandshake } from './redaction.js';
import type { Labeller } from '../observe/socket-label.js';

/**
 * Sockets (or rooms) a scan reads in one chunk (about 0.3 ms) before waiting for its next turn of
 * the event loop, which it shares with every other scan (scan-turns.ts).
 */
export const SCAN_CHUNK = 256;

/** This node's rows of a window: its sockets in order, how many match, how many lie before it. */
export interface Slice {
	states: SocketState[];
	total: number;
	before: number;
}

const emptySlice = (): Slice => ({ states: [], total: 0, before: 0 });

/** Counts and chooses a slice from the matching sockets offered one by one. */
class Slicer {
	private readonly sort: SocketSortKey;
	private readonly sign: 1 | -1;
	private readonly pick: BoundedSelection<SocketState>;
	private readonly bound: Bound | undefined;
	private total = 0;
	private before = 0;

	constructor(filter: SocketsFilter, after: RowKey | undefined, limit: number) {
		const sort = (this.sort = socketSortOf(filter));
		const sign = (this.sign = filter.order === 'desc' ? -1 : 1);
		this.pick = new BoundedSelection<SocketState>(
			limit,
			(a, b) => sign * compareStates(a, b, sort)
		);
		this.bound = after && splitKey(after);
	}

	offer(state: SocketState): void {
		this.total++;
		if (
			this.bound !== undefined &&
			this.sign * compareStateToKey(state, this.sort, this.bound) <= 0
		)
			this.before++;
		else this.pick.offer(state);
	}

	result(): Slice {
		return { states: this.pick.sorted(), total: this.total, before: this.before };
	}
}

/** See `Queries.stamp`. */
export interface WindowStamp {
	/** Sockets came or went, joined or left a room, or changed transport. */
	members: number;
	/** The figure sorted by changed on some socket; always 0 for a figure that never changes. */
	order: number;
	/** A figure a row shows (events, bytes, round-trip) changed on some socket. */
	figures: number;
}

export class Queries {
	constructor(
		private readonly model: NodeModel,
		private readonly nodeId: string,
		private readonly redact: Options['redact'],
		private readonly label: Labeller = () => null,
		/** Every scan of this agent waits for its turns here, so that all of them together stay small. */
		private readonly turns = new ScanTurns()
	) {}

	/** The namespaces a principal may see, optionally narrowed to one. */
	private namespacesFor(principal: Principal, only?: string): NamespaceStats[] {
		if (only !== undefined) {
			const stats = this.model.namespaces.get(only);
			return stats && canSee(principal, only) ? [stats] : [];
		}
		return [...this.model.namespaces.values()].filter((s) => canSee(principal, s.name));
	}

	/**
	 * How many records a scan of `filter` reads on this node: the sockets of the namespaces the
	 * principal may see, or of the room's members. The cost a request is charged before it scans
	 * (request-limits.ts), and the most rows it can find. O(namespaces), no socket read.
	 */
	scanSize(principal: Principal, filter: SocketsFilter): number {
		if (filter.nodeId !== undefined && filter.nodeId !== this.nodeId) return 0;
		let size = 0;
		for (const stats of this.namespacesFor(principal, filter.namespace)) {
			size +=
				filter.room === undefined
					? stats.states.length
					: (stats.nsp.adapter.rooms.get(filter.room)?.size ?? 0);
		}
		return size;
	}

	/** How many rooms `roomRowsInTurns` reads for the principal, in `namespace` or in all. */
	roomCount(principal: Principal, namespace?: string): number {
		let count = 0;
		for (const stats of this.namespacesFor(principal, namespace)) count += stats.publicRooms.size;
		return count;
	}

	/**
	 * Offers each socket of `filter` that matches it to `visit`, reading `SCAN_CHUNK` sockets a
	 * turn, from one list per namespace the principal may see: the namespace's own records
	 * (`NamespaceStats.states`, read in a row), or a room's members, whose records are found as
	 * they are read (finding 10,000 at once held the loop too). It reads a copy of each list (a
	 * socket leaving meanwhile moves another record into its place), so a socket gone meanwhile
	 * may still be offered.
	 */
	private async scan(
		principal: Principal,
		filter: SocketsFilter,
		visit: (state: SocketState) => void,
		lane: TurnLane = 'answer'
	): Promise<void> {
		const match = this.matcher(filter);
		let read = 0;
		await this.turns.next(lane);
		for (const stats of this.namespacesFor(principal, filter.namespace)) {
			if (filter.room === undefined) {
				const states = stats.states.slice();
				for (let i = 0; i < states.length; i++) {
					const state = states[i];
					if (match === null || match(state)) visit(state);
					if (++read % SCAN_CHUNK === 0) await this.turns.next(lane);
				}
				continue;
			}
			const members = stats.nsp.adapter.rooms.get(filter.room);
			if (members === undefined) continue;
			const ids = [...members];
			for (let i = 0; i < ids.length; i++) {
				const socket = stats.nsp.sockets.get(ids[i]);
				const state = socket && this.model.stateOf(socket);
				if (state && (match === null || match(state))) visit(state);
				if (++read % SCAN_CHUNK === 0) await this.turns.next(lane);
			}
		}
	}

	/** Whether a socket passes the filter's transport and text; null when the filter has neither. */
	private matcher(filter: SocketsFilter): ((state: SocketState) => boolean) | null {
		const { label } = this;
		const text = filter.text === undefined ? undefined : textPattern(filter.text);
		const transport = filter.transport;
		if (text === undefined && transport === undefined) return null;
		return (state) =>
			(transport === undefined || state.conn.transport === transport) &&
			(text === undefined || matchesText(state, text, label));
	}

	/**
	 * This node's first `limit` sockets of a filter strictly after `after` in its order, chosen
	 * without sorting every socket; with how many match in all, and how many lie up to `after`.
	 * Read `SCAN_CHUNK` sockets per turn of the event loop, letting the host run in between, so that
	 * a window on 10,000 sockets never blocks it for long. Sockets gone meanwhile are left out, and
	 * a live window notices that they went and chooses again (live-windows.ts). `lane`:
	 * `background` for a refresh, which waits for every answer (scan-turns.ts).
	 */
	async sliceInTurns(
		principal: Principal,
		filter: SocketsFilter,
		after: RowKey | undefined,
		limit: number,
		lane: TurnLane = 'answer'
	): Promise<Slice> {
		if (filter.nodeId !== undefined && filter.nodeId !== this.nodeId) return emptySlice();
		// A window larger than the sockets there are holds them all: the selection is never larger.
		const slicer = new Slicer(filter, after, Math.min(limit, this.scanSize(principal, filter)));
		await this.scan(principal, filter, (state) => slicer.offer(state), lane);
		const slice = slicer.result();
		slice.states = slice.states.filter((state) => state.socket.connected);
		return slice;
	}

	/**
	 * The key of this node's row at `offset` (1-based: the row before the one at index `offset`),
	 * or of its last row when there are fewer; null when none matches. Read in turns; the rows kept
	 * meanwhile are at most half the sockets there are, whatever the offset: the k-th row from the
	 * start is the (n - k + 1)-th from the end, so a seek near or past the end keeps the few rows
	 * from there (one for an offset past the end), and one near the start the few before it. That
	 * counts from the end only when n is known before reading (no filter of text or transport).
	 */
	async seekKey(
		principal: Principal,
		filter: SocketsFilter,
		offset: number
	): Promise<RowKey | null> {
		const n = this.scanSize(principal, filter);
		if (offset <= 0 || n === 0) return null;
		const sort = socketSortOf(filter);
		const sign = filter.order === 'desc' ? -1 : 1;
		const k = Math.min(offset, n);
		const fromEnd = this.matcher(filter) === null && k > n / 2;
		const order = fromEnd ? -sign : sign;
		const pick = new BoundedSelection<SocketState>(
			fromEnd ? n - k + 1 : k,
			(a, b) => order * compareStates(a, b, sort)
		);
		await this.scan(principal, filter, (state) => pick.offer(state));
		// The last of the rows kept in the selection's order: the k-th from the start either way, or
		// the last row of all when fewer than k matched.
		const at = pick.largest();
		return at === undefined ? null : stateKey(at, sort);
	}

	/**
	 * This node's keys of `filter` in order after `after`, at most `count`, read in turns: its part
	 * of a seek or of a window's keys on a cluster, where the nodes' keys are merged.
	 */
	async keysInTurns(
		principal: Principal,
		filter: SocketsFilter,
		count: number,
		after?: RowKey
	): Promise<RowKey[]> {
		const slice = await this.sliceInTurns(principal, filter, after, count);
		const sort = socketSortOf(filter);
		return slice.states.map((s) => stateKey(s, sort));
	}

	/**
	 * Counters that move whenever this node's rows for `filter` could change, so that a live window
	 * can skip its refresh when none did (live-windows.ts). Each only grows; a sum of them changes
	 * whenever one of them does.
	 */
	stamp(principal: Principal, filter: SocketsFilter): WindowStamp {
		const sort = socketSortOf(filter);
		const { model } = this;
		const stamp: WindowStamp = { members: model.upgrades, order: 0, figures: model.rttReadings };
		for (const s of this.namespacesFor(principal, filter.namespace)) {
			stamp.members += s.connects + s.recovered + s.disconnects + s.joins + s.leaves;
			stamp.figures += s.eventsIn + s.eventsOut + s.bytesIn + s.bytesOut;
			if (isCountSort(sort)) stamp.order += s[sort];
		}
		if (sort === 'rtt') stamp.order = model.rttReadings;
		return stamp;
	}

	/** A page of this node's sockets, read in turns. */
	async sockets(principal: Principal, query: SocketsQuery): Promise<Page<SocketRow>> {
		const size = pageSize(query.limit);
		const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
		if (after === null)
			throw new AgentError('E_VALIDATION', 'cursor: not a cursor this agent issued');
		const { states, total } = await this.sliceInTurns(principal, query, after, size + 1);
		const shown = states.slice(0, size);
		const last = shown[shown.length - 1];
		return {
			rows: shown.map((s) => this.row(s)),
			total,
			nextCursor:
				states.length > size && last ? encodeCursor(stateKey(last, socketSortOf(query))) : null,
			missingNodes: []
		};
	}

	/**
	 * Every room matching the query, unpaged: a cluster sums sizes across nodes before paging.
	 * Read `SCAN_CHUNK` rooms a turn, from a copy of each namespace's list; a room gone meanwhile
	 * is listed with size 0 (as one emptied between two queries would be).
	 */
	async roomRows(principal: Principal, query: RoomsQuery): Promise<RoomRow[]> {
		const text = query.text === undefined ? undefined : textPattern(query.text);
		const rows: RoomRow[] = [];
		let read = 0;
		await this.turns.next();
		for (const stats of this.namespacesFor(principal, query.namespace)) {
			const rooms = stats.nsp.adapter.rooms;
			for (const name of [...stats.publicRooms]) {
				if (++read % SCAN_CHUNK === 0) await this.turns.next();
				if (text !== undefined && !text.test(filtered(name))) continue;
				const size = rooms.get(name)?.size ?? 0;
				const traffic = stats.roomTraffic.rates(name);
				rows.push({
					namespace: stats.name,
					name: roomName(name),
					size,
					nodes: { [this.nodeId]: size },
					...(traffic && { traffic })
				});
			}
		}
		return rows;
	}

	details(principal: Principal, namespace: string, id: string): SocketDetails {
		const stats = this.namespacesFor(principal, namespace)[0];
		const socket = stats?.nsp.sockets.get(id);
		const state = socket && this.model.stateOf(socket);
		if (!state) throw new AgentError('E_NOT_FOUND', `no socket ${id} in namespace ${namespace}`);
		const h = state.socket.handshake;
		const { headers, query, url } = redactHandshake(h, this.redact);
		const events = [...stats.eventCounters()]
			.filter((c) => c.in || c.out)
			.slice(0, 50)
			.map((c) => ({
				name: c.name,
				in: c.in,
				out: c.out,
				bytesIn: c.bytesIn,
				bytesOut: c.bytesOut
			}));
		return {
			...this.row(state),
			transports: [...state.conn.transports],
			handshake: {
				headers,
				query,
				auth: this.redact.auth ? '[redacted]' : safeJson(h.auth),
				time: h.time,
				secure: h.secure,
				url,
				xdomain: h.xdomain
			},
			data: this.data(state.socket.data),
			events,
			acks: socketAcks(state)
		};
	}

	/**
	 * This node's page of the namespaces a principal may see, and all of those matched, summed.
	 * One pass over the namespaces keeping only the page in order (`PageCollector`): a request
	 * costs O(namespaces · log page), and a summary object is made only for a row of the page. A
	 * namespace's figures are read where they are kept, never copied per namespace per request.
	 * Read `SCAN_CHUNK` namespaces a turn: with a namespace per tenant there may be tens of
	 * thousands (one pass over 10,000 held the loop 17 ms). A namespace gone meanwhile is still
	 * offered, with its last figures.
	 */
	async namespaces(principal: Principal, query: NamespacesQuery): Promise<NamespacesPage> {
		const text = query.text === undefined ? undefined : textPattern(query.text);
		const all = emptyNamespaceSummary(OTHER_NAMESPACES);
		const names = query.names === undefined ? undefined : new Set(query.names);
		const sources =
			names === undefined
				? [...this.model.namespaces.values()]
				: [...names].flatMap((n) => this.model.namespaces.get(n) ?? []);
		const sort = query.sort ?? 'sockets';
		const page = new PageCollector(
			(s: NamespaceStats): RowKey => [figureOf(s, sort), s.name],
			namespacesDescending(query),
			query.cursor,
			query.limit,
			summaryOf
		);
		for (let i = 0; i < sources.length; i++) {
			if (i % SCAN_CHUNK === SCAN_CHUNK - 1) await this.turns.next();
			const stats = sources[i];
			if (!canSee(principal, stats.name)) continue;
			if (text !== undefined && !text.test(filtered(stats.name))) continue;
			page.offer(stats);
			addStats(all, stats);
		}
		return { ...page.result(), all };
	}

	row(state: SocketState): SocketRow {
		const { socket, conn } = state;
		const rooms: string[] = [];
		for (const room of socket.rooms) if (room !== socket.id) rooms.push(roomName(room));
		return {
			id: socket.id,
			nodeId: this.nodeId,
			namespace: state.stats.name,
			rooms,
			address: socket.handshake.address,
			transport: conn.transport,
			userAgent: String(socket.handshake.headers['user-agent'] ?? ''),
			connectedAt: state.connectedAt,
			rtt: conn.rtt >= 0 ? Math.round(conn.rtt * 100) / 100 : null,
			eventsIn: state.eventsIn,
			eventsOut: state.eventsOut,
			bytesIn: state.bytesIn,
			bytesOut: state.bytesOut,
			dataKeys: isRecord(socket.data) ? Object.keys(socket.data) : [],
			label: this.label(state)
		};
	}

	/** What a slim window sends of a socket (windows.ts `SlimRow`). */
	slimRow(state: SocketState): SlimRow {
		const { socket, conn } = state;
		return {
			id: socket.id,
			namespace: state.stats.name,
			address: socket.handshake.address,
			transport: conn.transport,
			connectedAt: state.connectedAt,
			rtt: conn.rtt >= 0 ? Math.round(conn.rtt * 100) / 100 : null,
			label: this.label(state)
		};
	}

	private data(data: unknown): Record<string, unknown> {
		if (!isRecord(data)) return {};
		const rule = this.redact.socketData;
		const out: Record<string, unknown> = {};
		for (const key of Object.keys(data)) {
			const hide = rule === true || (Array.isArray(rule) && rule.includes(key));
			out[key] = hide ? '[redacted]' : safeJson(data[key]);
		}
		return out;
	}
}

/** A namespace's figures since the agent started, as a row of the namespaces list. */
function summaryOf(s: NamespaceStats): NamespaceSummary {
	return {
		name: s.name,
		sockets: s.nsp.sockets.size,
		rooms: s.publicRooms.size,
		connects: s.connects,
		disconnects: s.disconnects,
		recovered: s.recovered,
		refused: s.refused,
		eventsIn: s.eventsIn,
		eventsOut: s.eventsOut,
		bytesIn: s.bytesIn,
		bytesOut: s.bytesOut
	};
}

/** The figure a namespaces query sorts by, read where the agent keeps it. */
function figureOf(s: NamespaceStats, sort: NamespaceSortKey): SortValue {
	switch (sort) {
		case 'name':
			return s.name;
		case 'sockets':
			return s.nsp.sockets.size;
		case 'rooms':
			return s.publicRooms.size;
		default:
			return s[sort];
	}
}

/** `addNamespaceSummary` of one namespace, without making its summary. */
function addStats(sum: NamespaceSummary, s: NamespaceStats): void {
	sum.sockets += s.nsp.sockets.size;
	sum.rooms += s.publicRooms.size;
	for (const f of ['connects', 'disconnects', 'recovered', 'refused'] as const) sum[f] += s[f];
	for (const f of ['eventsIn', 'eventsOut', 'bytesIn', 'bytesOut'] as const) sum[f] += s[f];
	sum.namespaces = (sum.namespaces ?? 0) + 1;
}

/** The key of a live socket, as `socketRowKey` gives it for its row. */
export function stateKey(state: SocketState, sort: SocketSortKey): RowKey {
	return [sortValue(state, sort), rowId(state.stats.name, state.socket.id)];
}

/**
 * Two sockets in ascending key order. A tie is broken by `namespace#id` as in `stateKey`, which
 * within one namespace is the order of the ids: the string is built only across namespaces.
 */
function compareStates(a: SocketState, b: SocketState, sort: SocketSortKey): number {
	const va = sortValue(a, sort);
	const vb = sortValue(b, sort);
	if (va !== vb) return va < vb ? -1 : 1;
	if (a.stats === b.stats)
		return a.socket.id < b.socket.id ? -1 : a.socket.id > b.socket.id ? 1 : 0;
	return compareKeys([0, rowId(a.stats.name, a.socket.id)], [0, rowId(b.stats.name, b.socket.id)]);
}

/** A key with its `namespace#id` split (ids never hold `#`; namespaces may). */
interface Bound {
	value: SortValue;
	namespace: string;
	id: string;
	full: string;
}

function splitKey(key: RowKey): Bound {
	const at = key[1].lastIndexOf('#');
	return { value: key[0], namespace: key[1].slice(0, at), id: key[1].slice(at + 1), full: key[1] };
}

function compareStateToKey(state: SocketState, sort: SocketSortKey, key: Bound): number {
	const value = sortValue(state, sort);
	if (value !== key.value) return value < key.value ? -1 : 1;
	const id = state.socket.id;
	if (state.stats.name === key.namespace) return id < key.id ? -1 : id > key.id ? 1 : 0;
	return compareKeys([0, rowId(state.stats.name, id)], [0, key.full]);
}

/** The sorts by a socket's traffic, which its namespace counts too (so its sum moves with them). */
function isCountSort(
	sort: SocketSortKey
): sort is 'eventsIn' | 'eventsOut' | 'bytesIn' | 'bytesOut' {
	return sort === 'eventsIn' || sort === 'eventsOut' || sort === 'bytesIn' || sort === 'bytesOut';
}

function sortValue(state: SocketState, sort: SocketSortKey): SortValue {
	switch (sort) {
		case 'connectedAt':
			return state.connectedAt;
		case 'id':
			return state.socket.id;
		case 'namespace':
			return state.stats.name;
		case 'address':
			return state.socket.handshake.address;
		case 'rtt':
			// As rounded in the row, so that a cursor means the same on every node.
			return state.conn.rtt >= 0 ? Math.round(state.conn.rtt * 100) / 100 : -1;
		default:
			return state[sort];
	}
}

/** Fields a text filter reads are cut to this length: a client chooses its own user agent. */
const MAX_FILTERED_FIELD = 256;

/** A room's name as answers show it: no command can name a longer one, and clients choose them. */
function roomName(name: string): string {
	return truncateName(name, MAX_ROOM_NAME);
}

/**
 * A filter's text as a pattern found anywhere in a field, whatever its case. Tested in place: a
 * lowered copy of each field made two or three strings for every socket a filtered query read.
 */
function textPattern(text: string): RegExp {
	return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'iu');
}

/** A field as a text filter reads it: its first `MAX_FILTERED_FIELD` characters. */
function filtered(field: string): string {
	return field.length > MAX_FILTERED_FIELD ? field.slice(0, MAX_FILTERED_FIELD) : field;
}

function matchesText(state: SocketState, text: RegExp, label: Labeller): boolean {
	const h = state.socket.handshake;
	const agent = h.headers['user-agent'];
	if (text.test(state.socket.id)) return true;
	// The host's label is made (once a socket) only when the id did not match already.
	const shown = label(state);
	return (
		(shown != null && text.test(shown)) ||
		text.test(filtered(h.address)) ||
		(typeof agent === 'string' && text.test(filtered(agent)))
	);
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as JSON would carry it, cut to a size a dashboard can show; never throws. */
function safeJson(value: unknown): unknown {
	try {
		const text = JSON.stringify(value);
		if (text === undefined) return null;
		return text.length > 4096 ? `${text.slice(0, 4096)}…` : JSON.parse(text);
	} catch {
		return '[unserializable]';
	}
}
