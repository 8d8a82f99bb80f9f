/**
 * A list of sockets as a page shows it (the Sockets page, a room's members): a live window that
 * the agent keeps current, or, for a source without live windows (admin-ui), pages read in turn as
 * the user scrolls. The page reads rows by index, whichever it is.
 */
import type { Page, SocketRow } from '$protocol/models';
import type { SlimRow, SocketsFilter } from '$protocol/windows';
import type { Dashboard } from './dashboard.svelte';
import { PagedList } from './paged.svelte';
import { SocketWindow } from './socket-window.svelte';

/** A page of the list for a filter, for sources without live windows. */
export type SocketPages = (
	query: SocketsFilter,
	cursor: string | undefined,
	limit: number
) => Promise<Page<SocketRow>>;

export interface SocketRowsOptions {
	/** Rows a page holds (sources without live windows). */
	pageSize?: number;
	/** Pages load when the visible rows come this close to the end of those loaded. */
	prefetch: number;
	/** A slim window (`SocketsWindow.slim`), for a list that shows neither rooms nor traffic. */
	slim?: boolean;
}

export class SocketRows<R extends SlimRow = SocketRow> {
	readonly window: SocketWindow<R>;
	readonly list: PagedList<SocketRow>;
	#query: SocketsFilter = {};
	#visibleEnd = 0;
	readonly #prefetch: number;

	constructor(
		private readonly dashboard: Dashboard,
		pages: SocketPages,
		options: SocketRowsOptions
	) {
		this.window = new SocketWindow<R>(dashboard.api, dashboard.windows, options.slim);
		this.list = new PagedList(
			(cursor, limit) => pages(this.#query, cursor, limit),
			options.pageSize
		);
		this.#prefetch = options.prefetch;
	}

	/** A live window kept current by the agent; for sources that do not page (admin-ui), pages read in turn. */
	get windowed(): boolean {
		return !this.dashboard.model.missing('paged');
	}

	/** The row at a list index, or undefined while it is not loaded. */
	rowAt(index: number): R | SocketRow | undefined {
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

	/** Starts over for a filter: a new one, or the same after a reconnect. */
	async start(query: SocketsFilter): Promise<void> {
		this.#query = query;
		if (this.windowed) return this.window.start(query);
		await this.list.reload();
		this.#fill();
	}

	/** From the virtual list: moves the window, or loads the next page near the loaded end. */
	visible(start: number, end: number): void {
		this.#visibleEnd = end;
		if (this.windowed) this.window.visible(start, end);
		else this.#fill();
	}

	/** Pages only (a window is kept current): reads the rows again, as far as the user looks. */
	refreshPages(): Promise<void> {
		return this.windowed ? Promise.resolve() : this.list.refresh(this.#visibleEnd);
	}

	dispose(): void {
		this.window.dispose();
	}

	/** Loads pages until the visible rows (plus a margin) are loaded: a dragged scrollbar may skip far. */
	#fill(): void {
		if (this.#visibleEnd + this.#prefetch < this.list.rows.length) return;
		void this.list.more().then((loaded) => {
			if (loaded) this.#fill();
		});
	}
}
