/**
 * The sockets page's state: the filter and sort (from the URL, so a link reproduces the view), the
 * live window (or, for a source that does not page, the pages) they select, and the row under the
 * keyboard.
 */
import type { SocketRow, SocketsQuery } from '$protocol/models';
import {
	DEFAULT_SOCKET_SORT,
	SOCKET_SORT_KEYS,
	TRANSPORTS,
	type SocketSortKey,
	type Transport
} from '$protocol/vocabulary';
import type { Dashboard } from '$lib/state/dashboard.svelte';
import { SocketRows } from '$lib/state/socket-rows.svelte';
import { param, setParams } from '$lib/url-state';

export const COLUMNS: { key: SocketSortKey | null; label: string; numeric?: boolean }[] = [
	{ key: 'id', label: 'Socket' },
	{ key: null, label: 'Label' },
	{ key: 'namespace', label: 'Namespace' },
	{ key: null, label: 'Rooms' },
	{ key: 'address', label: 'Address' },
	{ key: null, label: 'Transport' },
	{ key: 'rtt', label: 'RTT', numeric: true },
	{ key: 'eventsIn', label: 'Events in', numeric: true },
	{ key: 'eventsOut', label: 'Events out', numeric: true },
	{ key: 'bytesIn', label: 'Bytes in', numeric: true },
	{ key: 'connectedAt', label: 'Connected', numeric: true }
];

/** Any of the agent's sort keys in the URL is honoured, also those without a column. */
const SORT_KEYS = new Set<string>(SOCKET_SORT_KEYS);
const TRANSPORT_NAMES = new Set<string>(TRANSPORTS);
/** Pages load when the visible rows come this close to the end of what is loaded. */
const PREFETCH = 150;
/** The rows refresh this often at most, and at least every `STALE_AFTER` for their figures. */
const REFRESH_MS = 1000;
const STALE_AFTER = 5000;

export class SocketsView extends SocketRows {
	readonly query: SocketsQuery = $derived.by(() => {
		const sort = param('sort');
		const transport = param('transport');
		return {
			namespace: param('ns') || undefined,
			room: param('room') || undefined,
			transport: TRANSPORT_NAMES.has(transport) ? (transport as Transport) : undefined,
			nodeId: param('node') || undefined,
			text: param('q') || undefined,
			sort: SORT_KEYS.has(sort) ? (sort as SocketSortKey) : DEFAULT_SOCKET_SORT,
			order: param('order') === 'desc' ? 'desc' : 'asc'
		};
	});
	/** The row the keyboard is on. */
	active = $state(-1);
	/** The socket shown in the detail panel, from the URL. */
	readonly selected = $derived(
		param('socket') ? { id: param('socket'), namespace: param('sns') || '/' } : null
	);

	#signature = '';
	#lastRefresh = 0;

	constructor(private readonly board: Dashboard) {
		super(
			board,
			(query, cursor, limit) => board.api.query('sockets:query', { ...query, cursor, limit }),
			{ prefetch: PREFETCH }
		);
	}

	/** Starts over for a new filter, sort or connection. */
	reload(): Promise<void> {
		this.active = -1;
		return this.start(this.query);
	}

	sortBy(key: SocketSortKey): Promise<void> {
		const same = this.query.sort === key;
		const order = same && this.query.order === 'asc' ? 'desc' : 'asc';
		return setParams({ sort: key, order });
	}

	select(row: SocketRow | null): Promise<void> {
		return setParams({ socket: row?.id ?? null, sns: row?.namespace ?? null });
	}

	/**
	 * Called on every sample, for sources without a live window: refreshes when the sockets
	 * changed (connects, disconnects, joins), and every few seconds anyway for RTT and traffic.
	 */
	tick(now: number): void {
		if (this.windowed) return;
		const samples = [...this.board.model.nodes.values()].map((e) => e.sample);
		const signature = samples
			.flatMap((s) =>
				s.namespaces.map(
					(n) => `${n.sockets}/${n.connects}/${n.recovered}/${n.disconnects}/${n.joins}/${n.leaves}`
				)
			)
			.join(',');
		const due = signature !== this.#signature || now - this.#lastRefresh > STALE_AFTER;
		if (!due || now - this.#lastRefresh < REFRESH_MS) return;
		this.#signature = signature;
		this.#lastRefresh = now;
		void this.refreshPages();
	}

	/** Arrow keys, Page Up/Down, Home/End move the active row; Enter opens it. */
	key(event: KeyboardEvent, pageRows: number): void {
		const moves: Record<string, number> = {
			ArrowDown: 1,
			ArrowUp: -1,
			PageDown: pageRows,
			PageUp: -pageRows,
			Home: -Infinity,
			End: Infinity
		};
		if (event.key in moves) {
			event.preventDefault();
			this.active = Math.max(
				0,
				Math.min(this.count - 1, (this.active < 0 ? -1 : this.active) + moves[event.key])
			);
		} else if (event.key === 'Enter' && this.rowAt(this.active)) {
			event.preventDefault();
			void this.select(this.rowAt(this.active)!);
		}
	}
}
