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
import { PagedList } from '$lib/state/paged.svelte';
import { SocketWindow } from '$lib/state/socket-window.svelte';
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

export class SocketsView {
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
	readonly window: SocketWindow;
	readonly list: PagedList<SocketRow>;
	/** The row the keyboard is on. */
	active = $state(-1);
	/** The socket shown in the detail panel, from the URL. */
	readonly selected = $derived(
		param('socket') ? { id: param('socket'), namespace: param('sns') || '/' } : null
	);

	#visibleEnd = 0;
	#signature = '';
	#lastRefresh = 0;

	constructor(private readonly dashboard: Dashboard) {
		this.window = new SocketWindow(dashboard.api, dashboard.windows);
		this.list = new PagedList((cursor, limit) =>
			dashboard.api.query('sockets:query', { ...this.query, cursor, limit })
		);
	}

	/** A live window kept current by the agent; for sources that do not page (admin-ui), pages read in turn. */
	get windowed(): boolean {
		return !this.dashboard.model.missing('paged');
	}

	/** The row at a list index, or undefined while it is not loaded. */
	rowAt(index: number): SocketRow | undefined {
		return this.windowed ? this.window.rowAt(index) : this.list.rows[index];
	}

	/** Rows in the list, loaded or not. */
	get count(): number {
		return this.windowed ? this.window.count : Math.max(this.list.rows.length, this.list.total);
	}

	get total(): number {
		return this.windowed ? this.window.total : this.list.total;
	}

	/** Rows held: the live window, or every page read so far. */
	get held(): number {
		return this.windowed ? this.window.rows.length : this.list.rows.length;
	}

	get loaded(): boolean {
		return this.windowed ? this.window.loaded : this.list.loaded;
	}

	get error(): string | null {
		return this.windowed ? this.window.error : this.list.error;
	}

	/** Starts over for a new filter, sort or connection. */
	async reload(): Promise<void> {
		this.active = -1;
		if (this.windowed) {
			await this.window.start(this.query);
			return;
		}
		await this.list.reload();
		this.#fill();
	}

	sortBy(key: SocketSortKey): Promise<void> {
		const same = this.query.sort === key;
		const order = same && this.query.order === 'asc' ? 'desc' : 'asc';
		return setParams({ sort: key, order });
	}

	select(row: SocketRow | null): Promise<void> {
		return setParams({ socket: row?.id ?? null, sns: row?.namespace ?? null });
	}

	/** From the virtual list: moves the window, or loads the next page near the loaded end. */
	visible(start: number, end: number): void {
		this.#visibleEnd = end;
		if (this.windowed) this.window.visible(start, end);
		else this.#fill();
	}

	dispose(): void {
		this.window.dispose();
	}

	/** Loads pages until the visible rows (plus a margin) are loaded: a dragged scrollbar may skip far. */
	#fill(): void {
		if (this.#visibleEnd + PREFETCH < this.list.rows.length) return;
		void this.list.more().then((loaded) => {
			if (loaded) this.#fill();
		});
	}

	/**
	 * Called on every sample, for sources without a live window: refreshes when the sockets
	 * changed (connects, disconnects, joins), and every few seconds anyway for RTT and traffic.
	 */
	tick(now: number): void {
		if (this.windowed) return;
		const samples = [...this.dashboard.model.nodes.values()].map((e) => e.sample);
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
		void this.list.refresh(this.#visibleEnd);
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
