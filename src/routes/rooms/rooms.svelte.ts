/**
 * The rooms page's state: filter and sort from the URL, the paged room list, the selected room
 * and, for it, its members and its membership over time, as the agent's history keeps it.
 */
import type { HistoryRange, RoomHistory, RoomRow } from '$protocol/models';
import type { Point } from '$lib/state/series';
import type { Dashboard } from '$lib/state/dashboard.svelte';
import { RANGES } from '$lib/state/model.svelte';
import { PagedList } from '$lib/state/paged.svelte';
import { param, setParams } from '$lib/url-state';
import { RoomMembers } from './room-members.svelte';

/** Rooms read at a time; more as the list scrolls near the end of those loaded. */
const ROOMS_PAGE = 50;
const PREFETCH = 20;
/** The selected room's last minute is asked again this often, so its chart follows the room. */
const REFRESH_MS = 2000;
const TAIL_RANGE: HistoryRange = '1m';

export class RoomsView {
	readonly query = $derived({
		namespace: param('ns') || undefined,
		text: param('q') || undefined,
		sort: param('sort') === 'name' ? ('name' as const) : ('size' as const)
	});
	readonly list: PagedList<RoomRow>;
	readonly selected = $derived(
		param('room') ? { namespace: param('rns') || '/', name: param('room') } : null
	);

	#visibleEnd = 0;

	constructor(dashboard: Dashboard) {
		this.list = new PagedList(
			(cursor, limit) => dashboard.api.query('rooms:query', { ...this.query, cursor, limit }),
			ROOMS_PAGE
		);
	}

	/** Rooms in the list, loaded or not. */
	get count(): number {
		return Math.max(this.list.rows.length, this.list.total);
	}

	/** Starts over for a new filter, sort or connection. */
	async reload(): Promise<void> {
		await this.list.reload();
		this.#fill();
	}

	/** From the virtual list, where the rows in view end: loads more rooms near the end of those loaded. */
	visibleUpTo(end: number): void {
		this.#visibleEnd = end;
		this.#fill();
	}

	/** Sizes and traffic move with every sample: the rooms in view are read again, not all loaded. */
	refresh(): void {
		void this.list.refreshFirst(this.#visibleEnd, roomKey);
	}

	#fill(): void {
		if (this.#visibleEnd + PREFETCH < this.list.rows.length) return;
		void this.list.more().then((loaded) => {
			if (loaded) this.#fill();
		});
	}

	select(room: { namespace: string; name: string } | null): Promise<void> {
		return setParams({ room: room?.name ?? null, rns: room?.namespace ?? null });
	}
}

export class RoomDetailState {
	readonly members: RoomMembers;
	/** The room's members over the selected range, from the agent's history. */
	points = $state.raw<Point[]>([]);
	/** Why the agent could not give the history, if it could not. */
	historyError = $state<string | null>(null);

	constructor(
		private readonly dashboard: Dashboard,
		readonly namespace: string,
		readonly name: string
	) {
		this.members = new RoomMembers(dashboard, namespace, name);
	}

	/** Members now: the history's last figure, or the member list's total before it has one. */
	get size(): number | null {
		return this.points.at(-1)?.y ?? (this.members.loaded ? this.members.total : null);
	}

	/**
	 * Loads the room's history for `range`, then every few seconds only its last minute, so an open
	 * room costs the same whatever the range. Returns the cleanup for an effect.
	 */
	watch(range: HistoryRange): () => void {
		const load = async (tail: HistoryRange) => {
			try {
				const history = await this.dashboard.api.query('room:history', {
					namespace: this.namespace,
					room: this.name,
					range: tail
				});
				const fresh = roomPoints(history);
				if (tail === range) this.points = fresh;
				else if (fresh.length) {
					const start = fresh[fresh.length - 1].x - RANGES[range];
					const kept = this.points.filter((p) => p.x >= start && p.x < fresh[0].x);
					this.points = [...kept, ...fresh];
				}
				this.historyError = null;
			} catch (err) {
				this.historyError = err instanceof Error ? err.message : String(err);
			}
		};
		void load(range);
		const timer = setInterval(() => {
			void load(TAIL_RANGE);
			void this.members.refreshPages();
		}, REFRESH_MS);
		return () => clearInterval(timer);
	}
}

function roomKey(room: RoomRow): string {
	return `${room.namespace}\u0000${room.name}`;
}

/** The chart's points: buckets where no node kept the room have no point. */
export function roomPoints(history: RoomHistory): Point[] {
	const points: Point[] = [];
	history.size.forEach((y, i) => {
		if (y !== null) points.push({ x: history.t[i], y });
	});
	return points;
}
