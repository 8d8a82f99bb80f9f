/**
 * The rooms page's state: filter and sort from the URL, the paged room list, the selected room
 * and, for it, its members and its membership over time, as the agent's history keeps it.
 */
import type { HistoryRange, RoomHistory, RoomRow, SocketRow } from '$protocol/models';
import type { Point } from '$lib/state/series';
import type { Dashboard } from '$lib/state/dashboard.svelte';
import { RANGES } from '$lib/state/model.svelte';
import { PagedList } from '$lib/state/paged.svelte';
import { param, setParams } from '$lib/url-state';

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

	constructor(dashboard: Dashboard) {
		this.list = new PagedList(
			(cursor, limit) => dashboard.api.query('rooms:query', { ...this.query, cursor, limit }),
			200
		);
	}

	select(room: { namespace: string; name: string } | null): Promise<void> {
		return setParams({ room: room?.name ?? null, rns: room?.namespace ?? null });
	}
}

export class RoomDetailState {
	readonly members: PagedList<SocketRow>;
	/** The room's members over the selected range, from the agent's history. */
	points = $state.raw<Point[]>([]);
	/** Why the agent could not give the history, if it could not. */
	historyError = $state<string | null>(null);

	constructor(
		private readonly dashboard: Dashboard,
		readonly namespace: string,
		readonly name: string
	) {
		this.members = new PagedList(
			(cursor, limit) =>
				dashboard.api.query('room:members', { namespace, room: name, cursor, limit }),
			100
		);
	}

	/** Members now: the history's last figure, or the member list's total before it has one. */
	get size(): number | null {
		return this.points.at(-1)?.y ?? (this.members.loaded ? this.members.total : null);
	}

	/**
	 * Loads the members and the room's history for `range`, then every few seconds only its last
	 * minute, so an open room costs the same whatever the range. Returns the cleanup for an effect.
	 */
	watch(range: HistoryRange): () => void {
		void this.members.reload();
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
			void this.members.refresh();
		}, REFRESH_MS);
		return () => clearInterval(timer);
	}
}

/** The chart's points: buckets where no node kept the room have no point. */
export function roomPoints(history: RoomHistory): Point[] {
	const points: Point[] = [];
	history.size.forEach((y, i) => {
		if (y !== null) points.push({ x: history.t[i], y });
	});
	return points;
}
