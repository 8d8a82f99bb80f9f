/**
 * Admin actions as markers on the time charts: the newest page of the audit trail, loaded once
 * per connection, with the entries pushed live on top (each shown once). The trail is the agent's
 * (shared through Redis in a cluster, and pushed live through the adapter), so every node's
 * commands appear. A checkbox hides them.
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
	/** The audited command (`socket:disconnect`, …), to name a group of markers. */
	command: string;
	/** Whom it was done to: the socket's label, else its id, or the room. */
	name: string;
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

/**
 * A marker's words from its audit entry. The labels are the ones the trail kept with the entry
 * (a kicked socket is gone by the time its marker is read: the entry is the only place its label
 * can be): a socket's own, or a room's first members'.
 */
export function markerOf(e: AuditEntry): Marker {
	const who = e.principal?.name ?? 'anonymous';
	const outcome =
		e.outcome === 'ok' ? `${e.affected} affected` : `${e.outcome}${e.code ? ` (${e.code})` : ''}`;
	const where = e.namespace ? ` in ${e.namespace}` : '';
	const labels = e.labels ?? [];
	const socketLabel = e.target.startsWith('socket ') ? labels[0] : undefined;
	const target = socketLabel
		? `${socketLabel} (${e.target})`
		: labels.length > 0
			? `${e.target} (${labels.join(', ')}${e.affected > labels.length ? ', …' : ''})`
			: e.target;
	const reason = e.reason ? ` · reason: ${e.reason}` : '';
	return {
		id: e.id,
		t: e.t,
		text: `${who}: ${e.command} ${target}${where}${reason} · ${outcome}`,
		command: e.command,
		name: socketLabel || subjectOf(e.target),
		namespace: e.namespace,
		bad: e.outcome !== 'ok'
	};
}

/** The socket id or room a target names (`socket abc from a to b` → `abc`), else the whole. */
function subjectOf(target: string): string {
	return /^(?:socket|room) (\S+)/.exec(target)?.[1] ?? target;
}
