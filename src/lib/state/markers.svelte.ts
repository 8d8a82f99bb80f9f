/**
 * Admin actions as markers on the time charts: the newest page of the audit trail, loaded once
 * per connection, with the entries pushed live on top (each shown once). The trail is the agent's
 * (shared through Redis in a cluster, and pushed live through the adapter), so every node's
 * commands appear. A toggle hides them.
 */
import type { AuditEntry } from '$protocol/commands';
import type { Connector } from '../connectors/connector';
import { untrack } from 'svelte';
import type { AuditFeed } from './live-feeds.svelte';
import type { DashboardModel } from './model.svelte';

/** One marker: when, and who did what to whom, in words. */
export interface Marker {
	id: string;
	t: number;
	text: string;
	/** The namespace the command targeted, to show a room chart only its own. */
	namespace?: string;
	bad: boolean;
}

/** Entries loaded from the trail at once; older ones are on the Audit page. */
const LOADED = 100;

export class AuditMarkers {
	shown = $state(true);
	#loaded = $state.raw<AuditEntry[]>([]);
	#loading: Promise<void> | null = null;

	readonly all: Marker[] = $derived.by(() => {
		const seen = new Set<string>();
		const out: Marker[] = [];
		for (const e of [...this.feed.live, ...this.#loaded]) {
			if (seen.has(e.id)) continue;
			seen.add(e.id);
			out.push(markerOf(e));
		}
		return out.sort((a, b) => a.t - b.t);
	});

	constructor(
		private readonly api: Connector,
		private readonly feed: AuditFeed
	) {}

	/** Loads the newest entries of the trail; without them, only live entries are shown. */
	load(): Promise<void> {
		this.#loading ??= this.api
			.query('audit:query', { limit: LOADED })
			.then((page) => void (this.#loaded = page.rows))
			.catch(() => {})
			.finally(() => (this.#loading = null));
		return this.#loading;
	}

	/**
	 * For an effect in each page that draws markers: loads the trail again after every snapshot
	 * (a reconnection), when the source keeps one.
	 */
	follow(model: DashboardModel): void {
		void model.generation;
		if (!model.missing('audit')) untrack(() => void this.load());
	}

	toggle(): void {
		this.shown = !this.shown;
	}

	/** The markers to draw between `min` and `max`, of one namespace when given; none when hidden. */
	between(min: number, max: number, namespace?: string): Marker[] {
		if (!this.shown) return [];
		return this.all.filter(
			(m) =>
				m.t >= min &&
				m.t <= max &&
				(namespace === undefined || m.namespace === undefined || m.namespace === namespace)
		);
	}
}

export function markerOf(e: AuditEntry): Marker {
	const who = e.principal?.name ?? 'anonymous';
	const outcome =
		e.outcome === 'ok' ? `${e.affected} affected` : `${e.outcome}${e.code ? ` (${e.code})` : ''}`;
	const where = e.namespace ? ` in ${e.namespace}` : '';
	return {
		id: e.id,
		t: e.t,
		text: `${who}: ${e.command} ${e.target}${where} · ${outcome}`,
		namespace: e.namespace,
		bad: e.outcome !== 'ok'
	};
}
