/**
 * The rooms page's state: filter and sort from the URL, the paged room list, the selected room
 * and, for it, its members and a membership chart.
 */
import type { RoomRow, SocketRow } from '$protocol/models';
import type { Point } from '$lib/state/series';
import type { Dashboard } from '$lib/state/dashboard.svelte';
import { PagedList } from '$lib/state/paged.svelte';
import { param, setParams } from '$lib/url-state';

/** The selected room's size is asked for this often, for its chart. */
const POLL_MS = 2000;
const POLLED_POINTS = 450;

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
	/** Sizes asked for while the room is open. */
	polled = $state.raw<Point[]>([]);
	size = $state<number | null>(null);

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

	/** Loads the members and polls the size; returns the cleanup for an effect. */
	watch(): () => void {
		void this.members.reload();
		const poll = async () => {
			try {
				const page = await this.dashboard.api.query('rooms:query', {
					namespace: this.namespace,
					text: this.name,
					limit: 50
				});
				const row = page.rows.find((r) => r.name === this.name && r.namespace === this.namespace);
				this.size = row?.size ?? 0;
				// The agent's clock, so these points line up with the sampled ones.
				const t = this.dashboard.model.series.latest ?? Date.now();
				this.polled = [...this.polled, { x: t, y: this.size }].slice(-POLLED_POINTS);
			} catch {
				// A missed poll leaves a gap in the chart; the next one fills in.
			}
		};
		void poll();
		const timer = setInterval(() => {
			void poll();
			void this.members.refresh();
		}, POLL_MS);
		return () => clearInterval(timer);
	}
}
