/**
 * The dashboard's one normalised model: what the agent told us (snapshot, nodes' latest samples,
 * series, recent samples for top lists), independent of which connector fed it. Wire payloads are
 * kept as raw state; the series store is a plain object whose changes bump `#version`.
 */
import type {
	Feature,
	HistoryQuery,
	HistoryRange,
	HistorySpan,
	History,
	NamespaceSummary,
	Principal,
	Sample,
	Snapshot
} from '$protocol/models';
import { NATIVE_SOURCE, type Capability, type Gap, type SourceInfo } from '../connectors/connector';
import { unavailable } from '../nav';
import { Clock } from './clock.svelte';
import { hiddenByScope } from './scope';
import {
	healthOf,
	missingFiguresOf,
	namespaceRatesOf,
	topEventsOf,
	topRoomsOf,
	totalsOf,
	withRates,
	type NodeEntry
} from './nodes';
import { SeriesStore } from './series';
import { ackRowsOf, latestConnectionErrors } from './acks';
import { OTHER_NAMESPACES, type NodeLiveness } from '$protocol/vocabulary';
import { OVERVIEW_TOP_ROOMS } from '$protocol/limits';

export const RANGES: Record<HistoryRange, number> = {
	'1m': 60_000,
	'5m': 300_000,
	'15m': 900_000,
	'1h': 3_600_000,
	'6h': 21_600_000
};

/** The history a snapshot carries. */
const SNAPSHOT_RANGE: HistoryRange = '5m';
/** Top lists are ranked over this much recent time, so they do not jump every second. */
const RECENT_MS = 10_000;
/** Capabilities that are not features: the agent always has them, other sources say if not. */
const NOT_FEATURES = new Set<Capability>([
	'process',
	'refused',
	'paged',
	'acks',
	'connection-errors'
]);

export class DashboardModel {
	readonly clock = new Clock();
	snapshot = $state.raw<Snapshot | null>(null);
	/** The source that sent the snapshot, and what it lacks. */
	source = $state.raw<SourceInfo>(NATIVE_SOURCE);
	nodes = $state.raw<ReadonlyMap<string, NodeEntry>>(new Map());
	namespaceSummaries = $state.raw<NamespaceSummary[]>([]);
	range = $state<HistoryRange>(SNAPSHOT_RANGE);
	/**
	 * An absolute span shown instead of the range (a zoom or the range picker): its history, fixed,
	 * without live samples on top. Null while the range ending now is shown.
	 */
	span = $state.raw<HistorySpan | null>(null);
	/** Bumped by every snapshot: pages re-subscribe and reload after a reconnection. */
	generation = $state(0);
	/** Set when a history query fails, so the overview can say the chart starts late. */
	historyError = $state(false);

	#series = new SeriesStore(1000, RANGES[SNAPSHOT_RANGE]);
	#recent: Sample[] = [];
	/** Samples that arrive while a history query is out, replayed on top of its answer. */
	#pending: Sample[] | null = null;
	#version = $state(0);

	readonly principal: Principal | null = $derived(this.snapshot?.principal ?? null);
	readonly features: Feature[] = $derived(this.snapshot?.features ?? []);
	/** The node whose figures arrived last, with when; null before the first snapshot. */
	readonly newestFigures: NodeEntry | null = $derived(
		[...this.nodes.values()].reduce<NodeEntry | null>(
			(newest, entry) => (newest && newest.receivedAt >= entry.receivedAt ? newest : entry),
			null
		)
	);
	/** Per namespace, traffic per second over the last ten seconds. */
	readonly namespaceRates = $derived.by(() => {
		void this.#version;
		return namespaceRatesOf(this.#recent);
	});
	/** Levels from the latest samples; rates over the same ten seconds as `namespaceRates`. */
	readonly totals = $derived(
		withRates(totalsOf(this.nodes.values(), this.clock.now), this.namespaceRates)
	);
	readonly topRooms = $derived(topRoomsOf(this.nodes.values(), this.clock.now, OVERVIEW_TOP_ROOMS));
	/** Nodes whose figures the totals lack or hold from a while ago, and whether the cluster link is down. */
	readonly missingFigures = $derived(
		missingFiguresOf(this.nodes, this.snapshot?.node.nodeId, this.clock.now)
	);
	/**
	 * The largest namespaces in view, by name: those the samples and the snapshot list one by one
	 * (`TOP_NAMESPACES`), never the folded rest; the Namespaces page pages through all of them.
	 */
	readonly namespaceNames: string[] = $derived(
		[
			...new Set([
				...this.totals.namespaces.map((n) => n.name),
				...this.namespaceSummaries.map((n) => n.name)
			])
		]
			.filter((name) => name !== OTHER_NAMESPACES)
			.sort()
	);
	readonly topEvents = $derived.by(() => {
		void this.#version;
		return topEventsOf(this.#recent, 8);
	});
	/** Acknowledged events over the last ten seconds, the slowest first. */
	readonly acks = $derived.by(() => {
		void this.#version;
		return ackRowsOf(this.#recent);
	});
	/** The latest refused or failed connections across nodes, newest first. */
	readonly connectionErrors = $derived(
		latestConnectionErrors(this.nodes.values(), 8, this.clock.now)
	);

	/** The series store; reading it in an effect re-runs that effect on every change. */
	constructor(private readonly fetchHistory: (query: HistoryQuery) => Promise<History[]>) {}

	get series(): SeriesStore {
		void this.#version;
		return this.#series;
	}

	/** The time the charts show: the span, or the range ending with the newest bucket. */
	get window(): { min: number; max: number } {
		if (this.span) return { min: this.span.from, max: this.span.to };
		const max = this.series.latest ?? Date.now();
		return { min: max - RANGES[this.range], max };
	}

	/** The sample interval of the agent's history, from the snapshot's, or null before one. */
	get historyStep(): number | null {
		return this.snapshot?.history[0]?.step ?? null;
	}

	has(feature: Feature): boolean {
		return this.features.includes(feature);
	}

	/**
	 * Why the source cannot serve `capability` (and what Sockscope's agent adds), or why this user
	 * is not shown it (their scope), or null.
	 */
	missing(capability: Capability): Gap | null {
		const gap = this.source.gaps[capability];
		if (gap) return gap;
		// The agent has them, but does not send them to this user.
		if (capability === 'connection-errors') return hiddenByScope(this.principal, capability);
		if (NOT_FEATURES.has(capability)) return null;
		const reason = unavailable(capability as Feature, this.features);
		return reason ? { reason } : null;
	}

	/** Whether this user may act (commands) on sockets of `namespace`, or on any namespace. */
	canAct(namespace?: string): boolean {
		return this.#mayAct(namespace) && this.has('commands');
	}

	/**
	 * Why an admin who may act here cannot: the source offers no commands. Null when they can, or
	 * when their role does not allow it (then the actions are simply not shown).
	 */
	actionsUnavailable(namespace?: string): string | null {
		return this.#mayAct(namespace) ? (this.missing('commands')?.reason ?? null) : null;
	}

	#mayAct(namespace?: string): boolean {
		const p = this.principal;
		if (!p || p.role !== 'admin') return false;
		return (
			namespace === undefined || p.namespaces === undefined || p.namespaces.includes(namespace)
		);
	}

	healthOf(nodeId: string): NodeLiveness | null {
		const entry = this.nodes.get(nodeId);
		return entry ? healthOf(entry, this.clock.now) : null;
	}

	applySnapshot(snapshot: Snapshot, now = Date.now()): void {
		this.snapshot = snapshot;
		this.nodes = new Map(snapshot.samples.map((s) => [s.nodeId, { sample: s, receivedAt: now }]));
		this.namespaceSummaries = snapshot.namespaces;
		this.#recent = [...snapshot.samples];
		this.#series = SeriesStore.fromHistory(snapshot.history, RANGES[this.range]);
		// The snapshot brings history again: a query that failed while disconnected no longer counts.
		this.historyError = false;
		this.#version++;
		this.generation++;
		// The snapshot carries five minutes at full resolution; longer ranges ask for their own.
		if (this.span) void this.loadSpan(this.span);
		else if (RANGES[this.range] > RANGES[SNAPSHOT_RANGE]) void this.loadRange(this.range);
	}

	applySample(sample: Sample, now = Date.now()): void {
		// A streamed sample leaves out connection-error examples that have not changed: keep them.
		const errors = sample.connectionErrors;
		const examples = this.nodes.get(sample.nodeId)?.sample.connectionErrors?.recent;
		if (errors && errors.recent === undefined && examples)
			sample = { ...sample, connectionErrors: { ...errors, recent: examples } };
		const nodes = new Map(this.nodes);
		nodes.set(sample.nodeId, { sample, receivedAt: now });
		this.nodes = nodes;
		// A span is history, fixed: live samples would slide it (the store keeps its length).
		if (!this.span) {
			this.#series.addSample(sample);
			this.#pending?.push(sample);
		}
		this.#recent.push(sample);
		const cutoff = sample.t - RECENT_MS;
		while (this.#recent.length && this.#recent[0].t <= cutoff) this.#recent.shift();
		this.#version++;
	}

	/** Before the first snapshot: the range or span it will show, loaded when the snapshot comes. */
	choose(range: HistoryRange, span: HistorySpan | null): void {
		this.range = range;
		this.span = span;
	}

	/** Shows a new time range: the agent's history for it, then live samples on top. */
	async loadRange(range: HistoryRange): Promise<void> {
		this.range = range;
		this.span = null;
		this.#pending = [];
		this.historyError = false;
		try {
			const histories = await this.fetchHistory({ range });
			if (this.range !== range || this.span) return;
			const store = SeriesStore.fromHistory(histories, RANGES[range], this.#series.step);
			const latest = store.latest ?? -Infinity;
			for (const s of this.#pending) if (s.t > latest) store.addSample(s);
			this.#series = store;
			this.#version++;
		} catch {
			this.historyError = true;
		} finally {
			this.#pending = null;
		}
	}

	/** Shows an absolute span: its history, fixed (no live samples on top until a range again). */
	async loadSpan(span: HistorySpan): Promise<void> {
		this.span = span;
		this.#pending = null;
		this.historyError = false;
		try {
			const histories = await this.fetchHistory({ from: span.from, to: span.to });
			if (this.span !== span) return;
			const store = SeriesStore.fromHistory(histories, span.to - span.from, this.#series.step);
			this.#series = store;
			this.#version++;
		} catch {
			if (this.span === span) this.historyError = true;
		}
	}
}
