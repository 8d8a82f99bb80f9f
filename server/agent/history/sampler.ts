/**
 * Once per interval, turns the model's cumulative counters into one compact sample: levels now,
 * what happened during the interval, and bounded top lists. Its size does not grow with the number
 * of sockets; its cost is one pass over the namespaces, their event names and their public rooms.
 */
import {
	OVERVIEW_TOP_ROOMS,
	SAMPLE_TOP_EVENTS,
	TOP_NAMESPACES,
	SAMPLE_TOP_ROOMS
} from '../../protocol/limits.js';
import type {
	TopEventFigures,
	NamespaceSample,
	Principal,
	RoomSize,
	Sample
} from '../../protocol/models.js';
import { emptyNamespaceSample } from '../../protocol/samples.js';
import { keepFirst, keepTop, truncateName, type Scored } from '../../protocol/top-n.js';
import { COUNT_FIGURES, OTHER_NAMESPACES, TRANSPORTS } from '../../protocol/vocabulary.js';
import type { NamespaceStats, NodeModel } from '../observe/model.js';
import { ackFigures } from '../observe/collectors/acks.js';
import type { HealthProbe } from '../observe/process-health.js';
import { canSee } from '../base/scope.js';

type Totals = Pick<NamespaceStats, (typeof COUNT_FIGURES)[number]> & {
	reasons: Map<string, number>;
};

const TOTALS = COUNT_FIGURES;

export class Sampler {
	private readonly previous = new WeakMap<NamespaceStats, Totals>();
	private lastT = Date.now();

	constructor(
		private readonly model: NodeModel,
		private readonly health: HealthProbe,
		private readonly nodeId: string,
		private readonly faults: { count: number }
	) {}

	/** The sample of the interval that ends now, with every namespace (see `viewFor` for scoping). */
	take(): Sample {
		const t = Date.now();
		const namespaces: NamespaceSample[] = [];
		for (const stats of this.model.namespaces.values())
			namespaces.push(this.sampleNamespace(stats, t - this.lastT));
		const sample: Sample = {
			nodeId: this.nodeId,
			t,
			interval: t - this.lastT,
			namespaces,
			rtt: this.model.rtt.percentiles(),
			process: this.health.read(),
			faults: this.faults.count,
			connectionErrors: this.model.connectionErrors.take()
		};
		this.lastT = t;
		return sample;
	}

	private sampleNamespace(stats: NamespaceStats, interval: number): NamespaceSample {
		const prev = this.previous.get(stats);
		const delta = (key: (typeof TOTALS)[number]) => stats[key] - (prev?.[key] ?? 0);
		const reasons: Record<string, number> = {};
		for (const [reason, count] of stats.reasons) {
			const d = count - (prev?.reasons.get(reason) ?? 0);
			if (d > 0) reasons[reason] = d;
		}
		stats.roomTraffic.tick(interval);
		const sample: NamespaceSample = {
			name: stats.name,
			sockets: stats.nsp.sockets.size,
			rooms: stats.publicRooms.size,
			transports: { ...stats.transports },
			connects: delta('connects'),
			refused: delta('refused'),
			disconnects: delta('disconnects'),
			recovered: delta('recovered'),
			reasons,
			eventsIn: delta('eventsIn'),
			eventsOut: delta('eventsOut'),
			bytesIn: delta('bytesIn'),
			bytesOut: delta('bytesOut'),
			broadcasts: delta('broadcasts'),
			broadcastRecipients: delta('broadcastRecipients'),
			joins: delta('joins'),
			leaves: delta('leaves'),
			topEvents: topEvents(stats),
			topRooms: topRooms(stats),
			acks: ackFigures(stats)
		};
		const totals = { reasons: new Map(stats.reasons) } as Totals;
		for (const key of TOTALS) totals[key] = stats[key];
		this.previous.set(stats, totals);
		return sample;
	}
}

function topEvents(stats: NamespaceStats): TopEventFigures[] {
	const top: Scored<TopEventFigures>[] = [];
	for (const c of stats.eventCounters()) {
		const figures: TopEventFigures = {
			name: truncateName(c.name),
			in: c.in - c.lastIn,
			out: c.out - c.lastOut
		};
		c.lastIn = c.in;
		c.lastOut = c.out;
		keepTop(top, figures, figures.in + figures.out, SAMPLE_TOP_EVENTS);
	}
	return top.map((e) => e.item);
}

function topRooms(stats: NamespaceStats): RoomSize[] {
	const top: Scored<string>[] = [];
	const rooms = stats.nsp.adapter.rooms;
	for (const room of stats.publicRooms)
		keepTop(top, room, rooms.get(room)?.size ?? 0, SAMPLE_TOP_ROOMS);
	return top.map((r) => ({ name: truncateName(r.item), size: r.score }));
}

/**
 * A sample as one principal may see it: only its namespaces, the most sockets (then the busiest)
 * first, at most `TOP_NAMESPACES` listed one by one and the rest folded into `otherNamespaces`.
 * The top ones are chosen in one pass, not by sorting thousands of namespaces for each scope.
 */
export function viewFor(sample: Sample, principal: Principal): Sample {
	// A principal scoped to some namespaces (a tenant) sees none of the engine's errors, which
	// belong to no namespace, nor the agent's own fault count (docs/security.md, what a tenant sees).
	if (principal.namespaces !== undefined) {
		const { faults: _, ...shared } = sample;
		sample = { ...shared, connectionErrors: undefined };
	}
	const top: NamespaceSample[] = [];
	let visible = 0;
	for (const n of sample.namespaces) {
		if (!canSee(principal, n.name)) continue;
		visible++;
		keepFirst(top, n, largestFirst, TOP_NAMESPACES);
	}
	const namespaces = largestRooms(top);
	if (visible <= TOP_NAMESPACES) return { ...sample, namespaces };
	const shown = new Set(top);
	return {
		...sample,
		namespaces,
		otherNamespaces: fold(
			sample.namespaces.filter((n) => !shown.has(n) && canSee(principal, n.name))
		)
	};
}

function largestFirst(a: NamespaceSample, b: NamespaceSample): number {
	return b.sockets - a.sockets || b.eventsIn + b.eventsOut - (a.eventsIn + a.eventsOut);
}

/**
 * The namespaces with only the top rooms the Overview can list (`OVERVIEW_TOP_ROOMS` over all of
 * them): with several namespaces, most of their top rooms would go to every dashboard each
 * second and never be shown.
 */
function largestRooms(namespaces: NamespaceSample[]): NamespaceSample[] {
	const sizes = namespaces.flatMap((n) => n.topRooms.map((r) => r.size));
	if (sizes.length <= OVERVIEW_TOP_ROOMS) return namespaces;
	const floor = sizes.sort((a, b) => b - a)[OVERVIEW_TOP_ROOMS - 1];
	// Rooms above the floor all go; of those at it, as many as fit (the namespaces come busiest first).
	let atFloor = OVERVIEW_TOP_ROOMS - sizes.filter((s) => s > floor).length;
	return namespaces.map((n) => ({
		...n,
		topRooms: n.topRooms.filter((r) => r.size > floor || (r.size === floor && atFloor-- > 0))
	}));
}

function fold(list: NamespaceSample[]): NamespaceSample {
	const folded: NamespaceSample = { ...emptyNamespaceSample(OTHER_NAMESPACES), namespaces: list.length };
	for (const n of list) {
		folded.sockets += n.sockets;
		folded.rooms += n.rooms;
		for (const key of TOTALS) folded[key] += n[key];
		for (const k of TRANSPORTS) folded.transports[k] += n.transports[k];
		for (const [r, c] of Object.entries(n.reasons))
			folded.reasons[r] = (folded.reasons[r] ?? 0) + c;
	}
	return folded;
}
