/**
 * Live windows on the sockets list (DESIGN.md, decision 8). A dashboard watches the rows it shows;
 * every node keeps that window on its own sockets and, once per sample interval, sends the
 * dashboard only what changed: rows in, rows out, changed figures, nothing when nothing changed.
 * In a cluster the watch reaches the other nodes once (and is renewed on a lease), and each node
 * sends its changes straight to the dashboard through the adapter: no fan-out per refresh.
 */
import createDebug from 'debug';
import type { Namespace } from 'socket.io';
import type { Principal, SocketRow } from '../../protocol/models.js';
import { compareKeys, socketSortOf, sortedByKey, type RowKey } from '../../protocol/paging.js';
import {
	type FigureChange,
	type SocketsFilter,
	type SocketsSeek,
	MAX_WINDOW,
	type SlimRow,
	type SocketsWindow,
	type WindowUpdate
} from '../../protocol/windows.js';
import type { AdminNamespace } from './admin-namespace.js';
import type { Cluster } from '../cluster/index.js';
import type { Faults } from '../base/faults.js';
import type { TurnLane } from '../base/scan-turns.js';
import type { SocketState } from '../observe/model.js';
import { stateKey, type Queries, type Slice, type WindowStamp } from './queries.js';
import { queryEntries, type DashboardSocket, type HandlerTable } from './handler-table.js';
import { windowSchemas } from './window-schemas.js';
import { chargeReads } from './request-limits.js';

const debug = createDebug('sockscope:windows');

/** A watch on another node lapses unless renewed within this time (its dashboard's node died). */
const LEASE_MS = 60_000;
const RENEW_MS = 20_000;
/** Keys a node lists for a seek: past this, a seek lands on the last of them. */
const MAX_SEEK = 100_000;
/** Between nodes, on the admin namespace: a watch, its end, or a seek's part. */
const WINDOW_EVENT = 'sockscope:window';
/**
 * A node keeps the rows it chose while answering a window's keys this long, for the watch that
 * follows them, and for this many dashboards at most.
 */
const PRIMED_MS = 10_000;
const MAX_PRIMED = 256;

type WindowQuery = 'sockets:watch' | 'sockets:unwatch' | 'sockets:seek';

interface NodeRequest {
	kind: 'watch' | 'unwatch' | 'seek' | 'keys';
	principal: Principal;
	payload: unknown;
}

/** A `keys` request: a window's place, and (from nodes of this version) whose window it is. */
interface KeysRequest extends Pick<SocketsWindow, 'query' | 'after' | 'limit'> {
	dashboard?: string;
	watch?: number;
}

/**
 * The rows a node chose for a window while answering its keys, with the counters read before:
 * the watch that follows starts from them instead of reading every socket a second time.
 */
interface Primed {
	watch: number;
	/** The window's query, start and size, as `placeOf` writes them. */
	place: string;
	slice: Slice;
	stamp: WindowStamp;
	at: number;
}

/** What was last sent of one row, to tell what changed. */
interface Sent {
	rtt: number | null;
	eventsIn: number;
	eventsOut: number;
	bytesIn: number;
	bytesOut: number;
	transport: string;
	/** The socket's rooms, joined: a move between rooms changes it even when the count stays. */
	rooms: string;
}

interface Watcher {
	/** The dashboard's socket id, which the watcher is held under. */
	key: string;
	window: SocketsWindow;
	principal: Principal;
	send(update: WindowUpdate): void;
	sent: Map<string, Sent> | null;
	/** The sockets of the last update, re-read when only their figures can have changed. */
	states: SocketState[];
	total: number;
	before: number;
	/** The counters behind the last update (`Queries.stamp`). */
	stamp: WindowStamp | null;
	/** While an update is being made (its sockets are read over several turns). */
	busy: boolean;
	/** Remote watches only: when the lease lapses. */
	expires: number;
}

export interface LiveWindows {
	/** The dashboard's requests about windows, for the admin namespace's handler table. */
	readonly handlers: Pick<HandlerTable, WindowQuery>;
	/** Sends each watcher what changed since its last update; called once per sample interval. */
	tick(): void;
	/** Watches held, local and remote, to check that they return to none. */
	readonly size: number;
	dispose(): void;
}

export interface LiveWindowDeps {
	admin: AdminNamespace;
	queries: Queries;
	cluster: Cluster;
	nodeId: string;
	faults: Faults;
}

export function registerLiveWindows(deps: LiveWindowDeps): LiveWindows {
	const { admin, queries, cluster, nodeId, faults } = deps;
	// Its own event between nodes, beside the cluster's typed ones.
	const bus = admin.nsp as unknown as Namespace;
	/** Keyed by the dashboard's socket id, so a dashboard has one window at most on each node. */
	const watchers = new Map<string, Watcher>();
	/** Rows chosen while answering keys, by the dashboard's socket id (see `Primed`). */
	const primed = new Map<string, Primed>();
	let lastRenew = Date.now();
	/** A tick still reading sockets: the next one waits for it to end rather than pile up. */
	let ticking = false;

	function roundRtt(state: SocketState): number | null {
		return state.conn.rtt >= 0 ? Math.round(state.conn.rtt * 100) / 100 : null;
	}

	function select(w: Watcher, lane: TurnLane = 'answer'): Promise<Slice> {
		const { query, after, limit } = w.window;
		return queries.sliceInTurns(w.principal, query, after, limit, lane);
	}

	/**
	 * The watcher's rows now, against what it was sent: the update, or null when nothing changed.
	 * Choosing the rows reads every socket, so it is done only when a socket came, went or moved
	 * in the order; when only figures changed, the rows held are re-read, and when nothing did,
	 * nothing is. `choose` may share one choice between windows alike. Null also when the watch
	 * ended or was replaced while its sockets were read.
	 */
	async function update(
		w: Watcher,
		choose: (w: Watcher) => Promise<Slice> = select,
		from?: Primed
	): Promise<WindowUpdate | null> {
		const { query, watch, until } = w.window;
		// Read before the sockets are: what changes while they are read is seen at the next tick.
		const stamp = from?.stamp ?? queries.stamp(w.principal, query);
		const was = w.stamp;
		const held =
			was !== null && w.sent !== null && stamp.members === was.members && stamp.order === was.order;
		if (held && stamp.figures === was.figures) return null;
		const slice = held ? w : from ? stillConnected(from.slice) : await choose(w);
		if (watchers.get(w.key) !== w) return null;
		const { total, before } = slice;
		w.stamp = stamp;
		w.states = slice.states;
		const states = until ? upTo(slice.states, query, until) : slice.states;
		const reset = w.sent === null;
		const previous = w.sent ?? new Map<string, Sent>();
		const next = new Map<string, Sent>();
		const out: WindowUpdate = {
			watch,
			nodeId,
			reset,
			total,
			before,
			rows: [],
			figures: [],
			gone: []
		};
		const slim = w.window.slim === true;
		for (const state of states) {
			const id = `${state.stats.name}#${state.socket.id}`;
			const now: Sent = {
				rtt: roundRtt(state),
				eventsIn: state.eventsIn,
				eventsOut: state.eventsOut,
				bytesIn: state.bytesIn,
				bytesOut: state.bytesOut,
				transport: state.conn.transport,
				rooms: slim ? '' : [...state.socket.rooms].join('\n')
			};
			next.set(id, now);
			const was = previous.get(id);
			if (was === undefined || was.transport !== now.transport || was.rooms !== now.rooms) {
				if (slim) (out.rows as SlimRow[]).push(queries.slimRow(state));
				else (out.rows as SocketRow[]).push(queries.row(state));
			} else if (
				was.rtt !== now.rtt ||
				(!slim &&
					(was.eventsIn !== now.eventsIn ||
						was.eventsOut !== now.eventsOut ||
						was.bytesIn !== now.bytesIn ||
						was.bytesOut !== now.bytesOut))
			) {
				const change: FigureChange = [
					id,
					now.rtt,
					now.eventsIn,
					now.eventsOut,
					now.bytesIn,
					now.bytesOut
				];
				out.figures.push(change);
			}
		}
		for (const id of previous.keys()) if (!next.has(id)) out.gone.push(id);
		w.sent = next;
		const same = !reset && total === w.total && before === w.before;
		w.total = total;
		w.before = before;
		if (same && out.rows.length === 0 && out.figures.length === 0 && out.gone.length === 0)
			return null;
		return out;
	}

	/** Sends the watcher its update, unless one is being made already (it follows at the next tick). */
	async function refresh(
		w: Watcher,
		choose?: (w: Watcher) => Promise<Slice>,
		from?: Primed
	): Promise<void> {
		if (w.busy) return;
		w.busy = true;
		try {
			const out = await update(w, choose, from);
			if (out) w.send(out);
		} catch (err) {
			faults.record('window update', err);
		} finally {
			w.busy = false;
		}
	}

	function watchLocally(
		key: string,
		w: Omit<Watcher, 'key' | 'sent' | 'states' | 'total' | 'before' | 'stamp' | 'busy'>
	): void {
		const held = watchers.get(key);
		// A renewal of the same watch, or a move of its `until`, keeps what was sent, so the
		// dashboard gets no second reset: the next update says only what came in or went out.
		if (held && held.window.watch === w.window.watch) {
			held.expires = w.expires;
			// A moved `until` changes the rows sent though no socket changed: the next tick looks.
			if (!sameKey(held.window.until, w.window.until)) held.stamp = null;
			held.window = w.window;
			return;
		}
		const watcher: Watcher = {
			...w,
			key,
			sent: null,
			states: [],
			total: 0,
			before: 0,
			stamp: null,
			busy: false
		};
		watchers.set(key, watcher);
		void refresh(watcher, undefined, takePrimed(key, w.window));
	}

	/** Keeps the rows chosen for a dashboard's window, for the watch that follows its keys. */
	function prime(
		dashboard: string,
		window: KeysRequest & { watch: number },
		slice: Slice,
		stamp: WindowStamp
	): void {
		primed.delete(dashboard);
		if (primed.size >= MAX_PRIMED) primed.delete(primed.keys().next().value!);
		primed.set(dashboard, {
			watch: window.watch,
			place: placeOf(window),
			slice,
			stamp,
			at: Date.now()
		});
	}

	/** The rows primed for this very window (same watch, query, start and size), taken once. */
	function takePrimed(dashboard: string, window: SocketsWindow): Primed | undefined {
		const p = primed.get(dashboard);
		primed.delete(dashboard);
		if (p === undefined || p.watch !== window.watch || p.place !== placeOf(window))
			return undefined;
		return Date.now() - p.at <= PRIMED_MS ? p : undefined;
	}

	/**
	 * Asks the other nodes for their keys (a seek, a window's) and waits for their answers: each kept
	 * as it arrives, so that a dead node costs the timeout but never the live nodes' keys.
	 */
	async function tellOthers(
		kind: 'keys' | 'seek',
		principal: Principal,
		payload: unknown
	): Promise<unknown[]> {
		if (!cluster.enabled) return [];
		try {
			const { byNode } = await cluster.otherNodes<unknown>(`window:${kind}`, {
				kind,
				principal,
				payload
			} satisfies NodeRequest);
			return Object.values(byNode);
		} catch (err) {
			faults.record(`window ${kind}`, err);
			return [];
		}
	}

	/**
	 * Tells the other nodes without waiting for them: one message, where a request with
	 * acknowledgements first asks the adapter how many nodes there are (a round trip to Redis).
	 */
	function fanOut(kind: NodeRequest['kind'], principal: Principal, payload: unknown): void {
		if (!cluster.enabled) return;
		try {
			bus.serverSideEmit(WINDOW_EVENT, { kind, principal, payload } satisfies NodeRequest);
		} catch (err) {
			faults.record(`window ${kind}`, err);
		}
	}

	/**
	 * This node's first keys of a filter, in order, up to `count` of them (and no more than its
	 * sockets), read in turns: its part of a seek on a cluster.
	 */
	function firstKeys(principal: Principal, query: SocketsFilter, count: number): Promise<RowKey[]> {
		return queries.keysInTurns(principal, query, Math.min(count, MAX_SEEK));
	}

	/**
	 * This node's keys of a window, in order, read in turns; the rows behind them are kept for the
	 * watch that follows when the request says whose window it is.
	 */
	async function windowKeys(principal: Principal, request: KeysRequest): Promise<RowKey[]> {
		const { query, after, dashboard, watch } = request;
		const limit = Math.min(request.limit, MAX_WINDOW);
		// Read before the sockets are, as a refresh reads them: a change meanwhile shows at the next tick.
		const stamp = queries.stamp(principal, query);
		const slice = await queries.sliceInTurns(principal, query, after, limit);
		if (typeof dashboard === 'string' && typeof watch === 'number')
			prime(dashboard, { query, after, limit, watch }, slice, stamp);
		return keysOf(query, slice);
	}

	/**
	 * On a cluster, the key of the window's last row over every node: each node then keeps only its
	 * rows up to it (`until`), so that the dashboard is sent the window's rows once, not `limit`
	 * rows per node. Asked of the nodes as keys only; undefined when the list ends within the
	 * window.
	 */
	async function clusterUntil(
		dashboard: string,
		principal: Principal,
		window: SocketsWindow
	): Promise<RowKey | undefined> {
		const { query, after, limit, watch } = window;
		const request: KeysRequest = { query, after, limit, dashboard, watch };
		const [mine, replies] = await Promise.all([
			windowKeys(principal, request),
			tellOthers('keys', principal, request)
		]);
		const keys = inOrder(query, [mine, ...replies]);
		// With fewer nodes' keys (some did not answer in time, or none) the `limit`-th key only lies
		// further down: each node then holds a few more rows than it must, never fewer.
		return keys.length >= limit ? keys[limit - 1] : undefined;
	}

	admin.onJoin((socket: DashboardSocket, principal: Principal) => {
		socket.on('disconnect', () => {
			primed.delete(socket.id);
			if (!watchers.delete(socket.id)) return;
			fanOut('unwatch', principal, { dashboard: socket.id });
		});
	});

	const handlers = queryEntries<WindowQuery>({
		'sockets:watch': {
			schema: windowSchemas.window,
			async answer(ctx, asked) {
				const { socket, principal } = ctx;
				// Choosing its rows reads every socket of the query once.
				chargeReads(ctx, queries.scanSize(principal, asked.query));
				// A window without `until` on a cluster gets one; sent again without it (rows left
				// the window, or too many came in), it gets a new one.
				const until =
					asked.until ??
					(cluster.enabled ? await clusterUntil(socket.id, principal, asked) : undefined);
				const window = until ? { ...asked, until } : asked;
				const send = (u: WindowUpdate) => socket.emit('sockets:window', u);
				watchLocally(socket.id, { window, principal, expires: Infinity, send });
				fanOut('watch', principal, { dashboard: socket.id, window });
				return { watch: window.watch };
			}
		},
		'sockets:unwatch': {
			schema: windowSchemas.empty,
			answer({ socket, principal }) {
				if (watchers.delete(socket.id)) fanOut('unwatch', principal, { dashboard: socket.id });
				return true as const;
			}
		},
		'sockets:seek': {
			schema: windowSchemas.seek,
			async answer(ctx, { query, offset }) {
				const { principal } = ctx;
				if (offset === 0) return null;
				// A seek reads every socket of the query once, whatever the offset: charged so.
				chargeReads(ctx, queries.scanSize(principal, query));
				// Alone, this node's own row at the offset is the answer, found keeping few rows.
				if (!cluster.enabled) return queries.seekKey(principal, query, offset);
				const [mine, replies] = await Promise.all([
					firstKeys(principal, query, offset),
					tellOthers('seek', principal, { query, offset })
				]);
				const keys = inOrder(query, [mine, ...replies]);
				return keys[Math.min(offset, keys.length) - 1] ?? null;
			}
		}
	});

	/** Another node's request about windows. */
	function answer({ kind, principal, payload }: NodeRequest): unknown | Promise<unknown> {
		switch (kind) {
			case 'watch': {
				const { dashboard, window } = payload as { dashboard: string; window: SocketsWindow };
				const send = (u: WindowUpdate) => bus.to(dashboard).emit('sockets:window', u);
				watchLocally(dashboard, { window, principal, expires: Date.now() + LEASE_MS, send });
				debug('watch %d for %s', window.watch, dashboard);
				return true;
			}
			case 'unwatch': {
				const { dashboard } = payload as { dashboard: string };
				primed.delete(dashboard);
				const held = watchers.get(dashboard);
				if (held && held.expires !== Infinity) watchers.delete(dashboard);
				return true;
			}
			case 'seek': {
				const { query, offset } = payload as SocketsSeek;
				return firstKeys(principal, query, offset);
			}
			case 'keys':
				return windowKeys(principal, payload as KeysRequest);
		}
	}
	const onRequest = (request: NodeRequest, ack?: (reply: unknown) => void) => {
		// Keys are read in turns, so the answer may come later; a failure answers null.
		Promise.resolve()
			.then(() => answer(request))
			.then(
				(reply) => {
					if (typeof ack === 'function') ack(reply);
				},
				(err) => {
					faults.record('window request', err);
					if (typeof ack === 'function') ack(null);
				}
			)
			.catch((err) => faults.record('window request', err));
	};
	bus.on(WINDOW_EVENT, onRequest);
	// Keys travel as the cluster's tasks (their answers kept one by one); older nodes still ask by
	// WINDOW_EVENT with an acknowledgement, answered above.
	const untask = (['keys', 'seek'] as const).map((kind) =>
		cluster.onTask(`window:${kind}`, (request) => answer({ ...(request as NodeRequest), kind }))
	);

	return {
		handlers,
		tick() {
			const now = Date.now();
			for (const [key, p] of primed) if (now - p.at > PRIMED_MS) primed.delete(key);
			const renew = cluster.enabled && now - lastRenew >= RENEW_MS;
			if (renew) lastRenew = now;
			const due: Watcher[] = [];
			for (const [key, w] of watchers) {
				if (w.expires < now) {
					watchers.delete(key);
					continue;
				}
				due.push(w);
				if (renew && w.expires === Infinity)
					fanOut('watch', w.principal, { dashboard: key, window: w.window });
			}
			if (ticking || due.length === 0) return;
			// Dashboards showing the same rows (same scope, filter, sort and place) share one choice.
			const chosen = new Map<string, Promise<Slice>>();
			const choose = (w: Watcher) => {
				const { query, after, limit } = w.window;
				const key = JSON.stringify([w.principal.namespaces, query, after, limit]);
				let selection = chosen.get(key);
				// A refresh: it lets the dashboards' answers (a first view, a seek) go first.
				if (!selection) chosen.set(key, (selection = select(w, 'background')));
				return selection;
			};
			// One window after another, so that a turn of the event loop reads one chunk of sockets.
			ticking = true;
			void (async () => {
				for (const w of due) await refresh(w, choose);
			})().finally(() => {
				ticking = false;
			});
		},
		get size() {
			return watchers.size;
		},
		dispose() {
			bus.off(WINDOW_EVENT, onRequest);
			for (const undo of untask) undo();
			watchers.clear();
			primed.clear();
		}
	};
}

/** The keys of every node's list that is one (a reply may be anything), in the query's order. */
function inOrder(query: SocketsFilter, lists: unknown[]): RowKey[] {
	const keys = lists.filter((r): r is RowKey[] => Array.isArray(r)).flat();
	return sortedByKey(keys, (k) => k, query.order === 'desc');
}

function keysOf(query: SocketsFilter, slice: Slice): RowKey[] {
	const sort = socketSortOf(query);
	return slice.states.map((s) => stateKey(s, sort));
}

/** A window's query, start and size, to tell whether rows chosen for one serve another. */
function placeOf({
	query,
	after,
	limit
}: Pick<SocketsWindow, 'query' | 'after' | 'limit'>): string {
	return JSON.stringify([query, after ?? null, limit]);
}

/** The slice without the sockets that left since it was chosen. */
function stillConnected(slice: Slice): Slice {
	return { ...slice, states: slice.states.filter((state) => state.socket.connected) };
}

/** Whether two windows end at the same key (or both have no end). */
function sameKey(a: RowKey | undefined, b: RowKey | undefined): boolean {
	return a === b || (a !== undefined && b !== undefined && compareKeys(a, b) === 0);
}

/** The states (in list order) whose key is not past `until`. */
function upTo(states: SocketState[], query: SocketsFilter, until: RowKey): SocketState[] {
	const sort = socketSortOf(query);
	const sign = query.order === 'desc' ? -1 : 1;
	const end = states.findIndex((s) => sign * compareKeys(stateKey(s, sort), until) > 0);
	return end < 0 ? states : states.slice(0, end);
}
