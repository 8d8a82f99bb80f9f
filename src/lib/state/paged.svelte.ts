/**
 * A list fed by keyset-paged queries: the first page, then the next ones as the user scrolls near
 * the end, never the whole list. A refresh re-reads from the start, but only as far as one page,
 * so a user scrolled deep into thousands of rows is not yanked back; they get the new total.
 * A first page refused for a passing reason (the dashboard's request budget spent, an answer
 * late from a busy host) is asked for again by itself, sooner or later: until it comes, the page
 * has nothing to refresh, and would otherwise stay empty until the user pressed reload.
 */
import { MAX_PAGE_SIZE } from '$protocol/limits';
import type { Page } from '$protocol/models';
import { RequestError } from '../connectors/connector';
import { FirstLoadRetry } from './first-load-retry';

export type PageFetch<R> = (cursor: string | undefined, limit: number) => Promise<Page<R>>;

export class PagedList<R> {
	rows = $state.raw<R[]>([]);
	/** Rows matching the filter, across the nodes that answered. */
	total = $state(0);
	loading = $state(false);
	error = $state<string | null>(null);
	missingNodes = $state.raw<string[]>([]);
	/** True once the first answer for the current filter arrived. */
	loaded = $state(false);

	#cursor: string | null = null;
	#generation = 0;
	#lastRefresh = 0;
	/** The load of rows under way (first page, next page or refresh), to wait on; null when none. */
	#underWay: Promise<void> | null = null;
	/** A next page is asked for (waiting for a refresh to end, or loading). */
	#appending = false;
	readonly #retry = new FirstLoadRetry();

	constructor(
		private readonly fetch: PageFetch<R>,
		private readonly pageSize = MAX_PAGE_SIZE
	) {}

	get complete(): boolean {
		return this.loaded && this.#cursor === null;
	}

	/** Starts over, for a new filter or sort. */
	reload(): Promise<void> {
		this.#generation++;
		this.#retry.stop();
		this.rows = [];
		this.total = 0;
		this.loaded = false;
		this.#cursor = null;
		this.loading = false;
		return this.#load(undefined, this.pageSize, false);
	}

	/**
	 * Loads the next page, unless one is already asked for or there is none; true when it loaded
	 * one. Asked while a refresh is under way (a sample came as the user pressed "Load more"), it
	 * loads once the refresh is in: the user's request is not dropped without a word.
	 */
	async more(): Promise<boolean> {
		if (this.#appending) return false;
		this.#appending = true;
		try {
			const generation = this.#generation;
			while (this.#underWay !== null) {
				await this.#underWay;
				if (generation !== this.#generation) return false;
			}
			if (this.complete || !this.loaded) return false;
			await this.#load(this.#cursor ?? undefined, this.pageSize, true);
			return this.error === null;
		} finally {
			this.#appending = false;
		}
	}

	/**
	 * Re-reads the rows from the start (up to one page), or only the total when the user looks at
	 * rows beyond the first page (`visibleEnd`), which a refresh would drop.
	 */
	refresh(visibleEnd = 0, atMostEvery = 1000): Promise<void> {
		if (this.loading || !this.loaded) return Promise.resolve();
		// Callers refresh on every sample; the agent is asked once a second at most.
		const now = Date.now();
		if (now - this.#lastRefresh < atMostEvery) return Promise.resolve();
		this.#lastRefresh = now;
		if (visibleEnd > MAX_PAGE_SIZE - 50) return this.#count();
		return this.#load(
			undefined,
			Math.min(Math.max(this.rows.length, this.pageSize), MAX_PAGE_SIZE),
			false
		);
	}

	/**
	 * Re-reads only the first `count` rows (those in view), keeping the rows held beyond them as
	 * they were read, so that a refresh costs what is shown, not what was loaded. A row that moved
	 * into the first ones is dropped from those beyond (`key` tells rows apart); past one page,
	 * only the total.
	 */
	refreshFirst(count: number, key: (row: R) => string, atMostEvery = 1000): Promise<void> {
		if (this.loading || !this.loaded) return Promise.resolve();
		const now = Date.now();
		if (now - this.#lastRefresh < atMostEvery) return Promise.resolve();
		this.#lastRefresh = now;
		if (count > MAX_PAGE_SIZE) return this.#count();
		const limit = Math.max(1, count);
		if (limit >= this.rows.length) return this.#load(undefined, this.rows.length || limit, false);
		return this.#loadFirst(limit, key);
	}

	#loadFirst(limit: number, key: (row: R) => string): Promise<void> {
		return this.#track(this.#readFirst(limit, key));
	}

	async #readFirst(limit: number, key: (row: R) => string): Promise<void> {
		const generation = this.#generation;
		this.loading = true;
		try {
			const page = await this.fetch(undefined, limit);
			if (generation !== this.#generation) return;
			if (page.nextCursor === null) {
				// The whole list fits in the rows read: nothing beyond them is left.
				this.rows = page.rows;
				this.#cursor = null;
			} else {
				const head = new Set(page.rows.map(key));
				const rest = this.rows.slice(limit).filter((row) => !head.has(key(row)));
				this.rows = page.rows.concat(rest);
			}
			this.total = page.total;
			this.missingNodes = page.missingNodes;
			this.error = null;
		} catch {
			// The next refresh tries again; the rows shown stay valid.
		} finally {
			if (generation === this.#generation) this.loading = false;
		}
	}

	async #count(): Promise<void> {
		const generation = this.#generation;
		try {
			const page = await this.fetch(undefined, 1);
			if (generation === this.#generation) this.total = page.total;
		} catch {
			// The next refresh tries again; the rows shown stay valid.
		}
	}

	#load(cursor: string | undefined, limit: number, append: boolean): Promise<void> {
		return this.#track(this.#read(cursor, limit, append));
	}

	/** Keeps `load` as the one under way until it settles. */
	#track(load: Promise<void>): Promise<void> {
		const tracked: Promise<void> = load.finally(() => {
			if (this.#underWay === tracked) this.#underWay = null;
		});
		this.#underWay = tracked;
		return tracked;
	}

	async #read(cursor: string | undefined, limit: number, append: boolean): Promise<void> {
		const generation = this.#generation;
		this.loading = true;
		try {
			const page = await this.fetch(cursor, limit);
			if (generation !== this.#generation) return;
			this.rows = append ? this.rows.concat(page.rows) : page.rows;
			this.total = page.total;
			this.missingNodes = page.missingNodes;
			this.#cursor = page.nextCursor;
			this.error = null;
			this.loaded = true;
		} catch (err) {
			if (generation !== this.#generation) return;
			this.error = err instanceof RequestError ? err.message : 'The query failed.';
			if (!this.loaded)
				// `reload` and `dispose` stop it: no newer list can be under way when it runs.
				this.#retry.schedule(err, () => void this.#load(undefined, this.pageSize, false));
		} finally {
			if (generation === this.#generation) this.loading = false;
		}
	}

	/** Stops a retry waiting: for a page that closes. */
	dispose(): void {
		this.#generation++;
		this.#retry.stop();
	}
}
