/**
 * The live window of the Sockets page (DESIGN.md, decision 8), and of a room's members on the
 * Rooms page (a slim one, the room as its filter): it watches the rows in view plus a margin,
 * merges the changes each node sends into rows in list order, and moves the window when the user
 * scrolls near its edge. Every row it holds is live; rows outside it are not loaded.
 */
import type { SocketRow } from '$protocol/models';
import { compareKeys, rowId, socketRowKey, socketSortOf, type RowKey } from '$protocol/paging';
import { MAX_WINDOW, type SlimRow, type SocketsFilter, type WindowUpdate } from '$protocol/windows';
import { RequestError, type Connector } from '../connectors/connector';
import { FirstLoadRetry } from './first-load-retry';

/** Hands the agent's window updates to whichever window is open. */
export class WindowFeed {
	readonly #listeners = new Set<(update: WindowUpdate) => void>();

	push(update: WindowUpdate): void {
		for (const listener of this.#listeners) listener(update);
	}

	subscribe(listener: (update: WindowUpdate) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}
}

/** Rows kept beyond each side of the visible ones, so that a small scroll finds them live. */
export const MARGIN = 30;
/** The window moves once scrolling settles this long: a dragged scrollbar sends one watch, not one per frame. */
const SETTLE_MS = 120;
/** The window is fitted again at most this often (see `#scheduleFit`). */
const FIT_MS = 1000;

/** One node's part of the window. */
interface NodePart<R> {
	rows: Map<string, R>;
	total: number;
	before: number;
}

/** Watch ids only grow, so an update of any earlier window is recognised and ignored. */
let nextWatch = 1;

/**
 * `R` is `SocketRow`, or `SlimRow` for a slim window (`SocketsWindow.slim`: rows without rooms
 * and traffic, for a list that shows neither).
 */
export class SocketWindow<R extends SlimRow = SocketRow> {
	/** The live rows, in list order, starting at index `offset`. */
	rows = $state.raw<R[]>([]);
	offset = $state(0);
	/** Rows matching the filter, on every node that sent its part. */
	total = $state(0);
	loaded = $state(false);
	error = $state<string | null>(null);

	#query: SocketsFilter = {};
	#watch = 0;
	/** The watch sent last, until its first update arrives. */
	#pending = 0;
	#limit = 0;
	#after: RowKey | undefined;
	/** How many rows the nodes hold after the window's start, all of them, shown or not. */
	#held = 0;
	#fitTimer: ReturnType<typeof setTimeout> | undefined;
	#parts = new Map<string, NodePart<R>>();
	#start = 0;
	#end = 0;
	#timer: ReturnType<typeof setTimeout> | undefined;
	/**
	 * A move under way (its seek, then its watch): another waits for it to end, and for the new
	 * window's first update. On a slow host a seek outlasts a sample, and every update of the old
	 * window asked again, each a scan of every socket, until the dashboard's requests hit their
	 * limit and the move was dropped.
	 */
	#moving = false;
	/** A new filter's first watch, asked again; `start` and `dispose` drop it. */
	readonly #retry = new FirstLoadRetry();
	/**
	 * A fit refused for a passing reason, asked again: on a cluster whose sockets are quiet no
	 * change may come for long, and the nodes would go on sending the rows pushed out of the window.
	 */
	readonly #fitRetry = new FirstLoadRetry();
	readonly #unsubscribe: () => void;

	constructor(
		private readonly api: Connector,
		feed: WindowFeed,
		/** Rows without rooms and traffic figures, for a list that shows neither (`SocketsWindow.slim`). */
		private readonly slim = false
	) {
		this.#unsubscribe = feed.subscribe((update) => this.#apply(update));
	}

	/** The row at a list index, if it is in the window. */
	rowAt(index: number): R | undefined {
		return this.rows[index - this.offset];
	}

	get count(): number {
		return Math.max(this.total, this.offset + this.rows.length);
	}

	/** Watches a filter and order from its first row: a new filter, or the same after a reconnect. */
	start(query: SocketsFilter): Promise<void> {
		this.#retry.stop();
		this.#fitRetry.stop();
		this.#query = query;
		// The previous filter's window is no longer this one's: its updates are not taken, even
		// when this filter's first watch is refused and the agent goes on sending them.
		this.#watch = 0;
		this.#parts.clear();
		this.rows = [];
		this.offset = 0;
		this.total = 0;
		this.loaded = false;
		return this.#watchAt(undefined, 0);
	}

	/** From the virtual list: the rows in view. */
	visible(start: number, end: number): void {
		this.#start = start;
		this.#end = end;
		this.#check();
	}

	dispose(): void {
		this.#retry.stop();
		this.#fitRetry.stop();
		clearTimeout(this.#timer);
		clearTimeout(this.#fitTimer);
		this.#unsubscribe();
		this.api.query('sockets:unwatch', {}).catch(() => {
			// Gone with the connection, or the page closed first: the agent drops it either way.
		});
	}

	/** Moves the window when the rows in view come near an edge of it that is not the list's. */
	#check(): void {
		// Until the new window's first update, the rows held are the old window's: it checks then.
		if (!this.loaded || this.#moving || this.#pending) return;
		const end = this.offset + this.rows.length;
		const low = this.offset === 0 || this.#start - this.offset >= MARGIN / 2;
		const high = end >= this.total || end - this.#end >= MARGIN / 2;
		if (low && high && this.#end - this.#start + MARGIN <= this.#limit) return;
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => void this.#move(), SETTLE_MS);
	}

	async #move(): Promise<void> {
		this.#moving = true;
		try {
			const first = Math.max(0, this.#start - MARGIN);
			let after: RowKey | undefined;
			if (first > 0) {
				const known = this.rows[first - 1 - this.offset];
				try {
					after = known
						? this.#key(known)
						: ((await this.api.query('sockets:seek', { query: this.#query, offset: first })) ??
							undefined);
				} catch (err) {
					this.error = messageOf(err);
					return;
				}
			}
			await this.#watchAt(after, first);
		} finally {
			this.#moving = false;
		}
	}

	async #watchAt(after: RowKey | undefined, first: number): Promise<void> {
		const watch = nextWatch++;
		// Set before asking: the first update may arrive before the acknowledgement.
		this.#pending = watch;
		this.#after = after;
		this.#limit = Math.min(MAX_WINDOW, Math.max(this.#end - this.#start, 20) + 2 * MARGIN);
		if (first === 0) this.#limit = Math.min(MAX_WINDOW, this.#limit + MARGIN);
		try {
			await this.api.query('sockets:watch', {
				watch,
				query: this.#query,
				after,
				limit: this.#limit,
				...this.#options()
			});
			this.error = null;
		} catch (err) {
			if (this.#pending === watch) {
				this.error = messageOf(err);
				// No update will come for it: the window stays, and its next update checks again.
				this.#pending = 0;
				// A filter's first window has no earlier one to stay: it is asked for again.
				if (!this.loaded)
					this.#retry.schedule(err, () => {
						if (!this.loaded && !this.#pending) void this.#watchAt(after, first);
					});
			}
		}
	}

	#apply(update: WindowUpdate): void {
		if (update.watch === this.#pending) {
			this.#watch = update.watch;
			this.#pending = 0;
			this.#parts.clear();
		}
		if (update.watch !== this.#watch) return;
		let part = this.#parts.get(update.nodeId);
		if (!part || update.reset) {
			part = { rows: new Map(), total: 0, before: 0 };
			this.#parts.set(update.nodeId, part);
		}
		for (const id of update.gone) part.rows.delete(id);
		// The rows are what this window asked for: slim ones when it is slim.
		for (const row of update.rows as R[]) part.rows.set(rowId(row.namespace, row.id), row);
		for (const [id, rtt, eventsIn, eventsOut, bytesIn, bytesOut] of update.figures) {
			const row = part.rows.get(id);
			if (!row) continue;
			part.rows.set(
				id,
				this.slim ? { ...row, rtt } : { ...row, rtt, eventsIn, eventsOut, bytesIn, bytesOut }
			);
		}
		part.total = update.total;
		part.before = update.before;
		this.#merge();
	}

	/** Every node's rows after the window's start, in list order: the first `limit` are the window. */
	#merge(): void {
		const sign = this.#query.order === 'desc' ? -1 : 1;
		const rows: R[] = [];
		let total = 0;
		let before = 0;
		for (const part of this.#parts.values()) {
			rows.push(...part.rows.values());
			total += part.total;
			before += part.before;
		}
		rows.sort((a, b) => sign * compareKeys(this.#key(a), this.#key(b)));
		this.#held = rows.length;
		this.rows = rows.slice(0, this.#limit);
		this.offset = before;
		this.total = total;
		this.loaded = true;
		this.#check();
		this.#scheduleFit();
	}

	/**
	 * On a cluster the agent gives the window an `until`, the key of its last row over every node,
	 * and each node keeps only its rows up to it: the window's rows once in all, not `limit` per
	 * node. As sockets come and go the rows held drift from `limit`: when too many came in, or so
	 * many left that the window runs short of the list, the same watch is sent again for the agent
	 * to set a new `until` (the rows held stay; only what changed comes). Never on a single node,
	 * whose part is exactly the window.
	 */
	#scheduleFit(): void {
		if (this.#fitTimer !== undefined || !this.#offFit()) return;
		this.#fitTimer = setTimeout(() => {
			this.#fitTimer = undefined;
			if (this.#pending || !this.#offFit()) return;
			const watch = this.#watch;
			this.api
				.query('sockets:watch', {
					watch,
					query: this.#query,
					after: this.#after,
					limit: this.#limit,
					...this.#options()
				})
				.then(
					() => this.#fitRetry.stop(),
					(err) =>
						// The window stays as it was until then, or until the next change tries first.
						this.#fitRetry.schedule(err, () => {
							if (this.#watch === watch) this.#scheduleFit();
						})
				);
		}, FIT_MS);
	}

	#offFit(): boolean {
		const held = this.#held;
		if (held > this.#limit + MARGIN / 2) return true;
		return held < this.#limit - MARGIN / 2 && this.offset + held < this.total;
	}

	/** Sent only when set: the Sockets page's watch stays as agents before `slim` accept it. */
	#options(): { slim?: true } {
		return this.slim ? { slim: true } : {};
	}

	#key(row: R): RowKey {
		// A slim window sorts only by what its rows carry (the agent refuses it otherwise).
		return socketRowKey(row as unknown as SocketRow, socketSortOf(this.#query));
	}
}

function messageOf(err: unknown): string {
	return err instanceof RequestError ? err.message : 'The query failed.';
}
