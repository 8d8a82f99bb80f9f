/**
 * Once per interval, turns the model's cumulative counters into one compact sample: levels now,
 * what happened during the interval, and bounded top lists. Its size does not grow with the number
 * of sockets; its cost is one pass over the namespaces and their event names, and over the public
 * rooms of the namespaces whose rooms changed.
 */
import {
	OVERVIEW_TOP_ROOMS,
	SAMPLE_TOP_EVENTS,
	TOP_NAMESPACES,
	SAMPLE_TOP_ROOMS
} from '../../protocol/limits.js';
import type {
	AckFigures,
	TopEventFigures,
	NamespaceSample,
	Principal,
	RoomSize,
	Sample,
	TransportCounts
} from '../../protocol/models.js';
import { emptyNamespaceSample } from '../../protocol/samples.js';
import { keepFirst, keepTop, truncateName, type Scored } from '../../protocol/top-n.js';
import { OTHER_NAMESPACES, TRANSPORTS } from '../../protocol/vocabulary.js';
import type { EventCounter, NamespaceStats, NodeModel } from '../observe/model.js';
import { rankAcks } from '../observe/collectors/acks.js';
import type { HealthProbe } from '../observe/process-health.js';
import { canSee } from '../base/scope.js';

/**
 * What most namespaces' samples hold most seconds, shared rather than made for each of thousands
 * of namespaces a second: no disconnect reasons, no top events, no acknowledgements. Frozen, so
 * that nothing can write into one by mistake; a sample with any gets its own.
 */
const NO_REASONS: Record<string, number> = Object.freeze({}) as Record<string, number>;
const NO_EVENTS = Object.freeze([]) as unknown as TopEventFigures[];
const NO_ACKS = Object.freeze([]) as unknown as AckFigures[];

/**
 * A namespace's cumulative figures as the previous sample read them, overwritten in place by the
 * next: with a namespace per tenant, a fresh copy of every namespace's totals each second was
 * most of what the sampler allocated.
 */
class Marks {
	connects = 0;
	refused = 0;
	disconnects = 0;
	recovered = 0;
	eventsIn = 0;
	eventsOut = 0;
	bytesIn = 0;
	bytesOut = 0;
	broadcasts = 0;
	broadcastRecipients = 0;
	joins = 0;
	leaves = 0;
	readonly reasons = new Map<string, number>();
	/** The transport counts of the last sample: the next one shares them while they hold. */
	transports: TransportCounts | null = null;
	/** The last sample's top rooms, and what their sizes depended on when they were read. */
	topRooms: RoomSize[] = [];
	roomCount = -1;
	adapterRooms: unknown = null;
	/**
	 * The last sample, when it said that nothing happened: while nothing does, it is the next one
	 * too. Most namespaces of a multi-tenant app are idle most seconds, and cost no allocation then.
	 */
	quiet: NamespaceSample | null = null;
}

/**
 * Namespaces sampled in one turn of the host's event loop: a busy namespace (events and
 * acknowledgements each second) takes 1–2 µs, so a turn adds about a millisecond to the host's.
 */
export const NAMESPACES_PER_TURN = 500;

export class Sampler {
	private readonly marks = new WeakMap<NamespaceStats, Marks>();
	private lastT = Date.now();

	constructor(
		private readonly model: NodeModel,
		private readonly health: HealthProbe,
		private readonly nodeId: string,
		private readonly faults: { count: number }
	) {}

	/**
	 * The sample of the interval that ends now, with every namespace (see `viewFor` for scoping),
	 * `perTurn` namespaces at a time, waiting for `nextTurn` between: with a namespace per tenant,
	 * one pass over 10,000 busy namespaces held the host's loop about 20 ms each second. A namespace
	 * made during the pass is in it; one deleted before its turn is not. Each namespace's counts
	 * are read against its own marks, so none is lost or counted twice whichever turn reads it; the
	 * figures of the last turns end a few milliseconds later.
	 */
	async take(nextTurn: () => Promise<void>, perTurn = NAMESPACES_PER_TURN): Promise<Sample> {
		const t = Date.now();
		const namespaces: NamespaceSample[] = [];
		let inTurn = 0;
		for (const stats of this.model.namespaces.values()) {
			if (inTurn === perTurn) {
				await nextTurn();
				inTurn = 0;
			}
			namespaces.push(this.sampleNamespace(stats, t - this.lastT));
			inTurn++;
		}
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

	/**
	 * One namespace's figures over the interval. Once a second for each of possibly thousands of
	 * namespaces, so it allocates only what the sample holds: the differences are read against
	 * marks kept in place, and what cannot have changed (the reasons without a disconnect, the top
	 * rooms without a join, leave or disconnect) is not scanned again; an idle namespace's last
	 * sample, quiet, is sent again as it is.
	 */
	private sampleNamespace(stats: NamespaceStats, interval: number): NamespaceSample {
		let m = this.marks.get(stats);
		if (m === undefined) this.marks.set(stats, (m = new Marks()));
		stats.roomTraffic.tick(interval);
		if (m.quiet !== null && stillQuiet(stats, m, m.quiet)) return m.quiet;
		const sample: NamespaceSample = {
			name: stats.name,
			sockets: stats.nsp.sockets.size,
			rooms: stats.publicRooms.size,
			transports: sameTransports(stats.transports, m.transports)
				? m.transports!
				: (m.transports = { ...stats.transports }),
			connects: stats.connects - m.connects,
			refused: stats.refused - m.refused,
			disconnects: stats.disconnects - m.disconnects,
			recovered: stats.recovered - m.recovered,
			reasons: stats.disconnects === m.disconnects ? NO_REASONS : reasonsSince(stats, m.reasons),
			eventsIn: stats.eventsIn - m.eventsIn,
			eventsOut: stats.eventsOut - m.eventsOut,
			bytesIn: stats.bytesIn - m.bytesIn,
			bytesOut: stats.bytesOut - m.bytesOut,
			broadcasts: stats.broadcasts - m.broadcasts,
			broadcastRecipients: stats.broadcastRecipients - m.broadcastRecipients,
			joins: stats.joins - m.joins,
			leaves: stats.leaves - m.leaves,
			topEvents: NO_EVENTS,
			topRooms: roomsUnchanged(stats, m) ? m.topRooms : (m.topRooms = topRooms(stats)),
			acks: NO_ACKS
		};
		m.roomCount = sample.rooms;
		m.adapterRooms = stats.nsp.adapter.rooms;
		eventFigures(stats, sample);
		m.connects = stats.connects;
		m.refused = stats.refused;
		m.disconnects = stats.disconnects;
		m.recovered = stats.recovered;
		m.eventsIn = stats.eventsIn;
		m.eventsOut = stats.eventsOut;
		m.bytesIn = stats.bytesIn;
		m.bytesOut = stats.bytesOut;
		m.broadcasts = stats.broadcasts;
		m.broadcastRecipients = stats.broadcastRecipients;
		m.joins = stats.joins;
		m.leaves = stats.leaves;
		m.quiet = isQuiet(sample) ? sample : null;
		return sample;
	}
}

function sameTransports(now: TransportCounts, last: TransportCounts | null): boolean {
	if (last === null) return false;
	for (const k of TRANSPORTS) if (now[k] !== last[k]) return false;
	return true;
}

function isQuiet(n: NamespaceSample): boolean {
	return !hasCounts(n) && n.topEvents.length === 0 && (n.acks?.length ?? 0) === 0;
}

/**
 * Whether any count of the interval (`COUNT_FIGURES`) is not 0. This and `addCounts` are written
 * out rather than looped over the names: they run for every namespace each second, and a lookup
 * by a name from a list is a slow keyed one each time (sample-counts.test.ts checks both cover
 * every count).
 */
export function hasCounts(n: NamespaceSample): boolean {
	return (
		n.connects !== 0 ||
		n.refused !== 0 ||
		n.disconnects !== 0 ||
		n.recovered !== 0 ||
		n.eventsIn !== 0 ||
		n.eventsOut !== 0 ||
		n.bytesIn !== 0 ||
		n.bytesOut !== 0 ||
		n.broadcasts !== 0 ||
		n.broadcastRecipients !== 0 ||
		n.joins !== 0 ||
		n.leaves !== 0
	);
}

/** Adds `n`'s counts of the interval (`COUNT_FIGURES`) into `into` (see `hasCounts`). */
export function addCounts(into: NamespaceSample, n: NamespaceSample): void {
	into.connects += n.connects;
	into.refused += n.refused;
	into.disconnects += n.disconnects;
	into.recovered += n.recovered;
	into.eventsIn += n.eventsIn;
	into.eventsOut += n.eventsOut;
	into.bytesIn += n.bytesIn;
	into.bytesOut += n.bytesOut;
	into.broadcasts += n.broadcasts;
	into.broadcastRecipients += n.broadcastRecipients;
	into.joins += n.joins;
	into.leaves += n.leaves;
}

/**
 * Whether a namespace whose last sample was quiet is still exactly as it said: no count moved, the
 * same sockets, transports and rooms, and no event name with traffic or acknowledgements (a
 * timeout comes from the sweep, with no packet) since. Allocates nothing.
 */
function stillQuiet(stats: NamespaceStats, m: Marks, quiet: NamespaceSample): boolean {
	if (
		stats.connects !== m.connects ||
		stats.refused !== m.refused ||
		stats.eventsIn !== m.eventsIn ||
		stats.eventsOut !== m.eventsOut ||
		stats.bytesIn !== m.bytesIn ||
		stats.bytesOut !== m.bytesOut ||
		stats.broadcasts !== m.broadcasts ||
		stats.broadcastRecipients !== m.broadcastRecipients ||
		!roomsUnchanged(stats, m) ||
		stats.nsp.sockets.size !== quiet.sockets ||
		// A cluster's shares of rooms are added to each sample afresh (addSharedRooms).
		quiet.sharedRooms !== undefined ||
		!sameTransports(stats.transports, quiet.transports)
	)
		return false;
	for (const c of stats.events.values()) if (moved(c)) return false;
	return !moved(stats.names.other);
}

function moved(c: EventCounter): boolean {
	return (
		c.in !== c.lastIn ||
		c.out !== c.lastOut ||
		(c.ackIn !== null && (c.ackIn.interval.count > 0 || c.ackIn.intervalTimeouts > 0)) ||
		(c.ackOut !== null && (c.ackOut.interval.count > 0 || c.ackOut.intervalTimeouts > 0))
	);
}

/** The disconnect reasons counted since `last`, which is brought up to date. */
function reasonsSince(stats: NamespaceStats, last: Map<string, number>): Record<string, number> {
	const reasons: Record<string, number> = {};
	for (const [reason, count] of stats.reasons) {
		const d = count - (last.get(reason) ?? 0);
		if (d > 0) reasons[reason] = d;
		last.set(reason, count);
	}
	return reasons;
}

/**
 * Whether the namespace's rooms have kept their members since the last sample: every change of
 * membership is an adapter's join or leave (a disconnect leaves its rooms, a recovered session
 * joins them again), so the top rooms read then still hold.
 */
function roomsUnchanged(stats: NamespaceStats, m: Marks): boolean {
	return (
		stats.joins === m.joins &&
		stats.leaves === m.leaves &&
		stats.disconnects === m.disconnects &&
		stats.recovered === m.recovered &&
		stats.publicRooms.size === m.roomCount &&
		// A namespace given another adapter (refresh() follows it) has other rooms altogether.
		stats.nsp.adapter.rooms === m.adapterRooms
	);
}

/** The top events and acknowledgements of the interval, in one pass over the event names. */
function eventFigures(stats: NamespaceStats, sample: NamespaceSample): void {
	const events: Scored<TopEventFigures>[] = [];
	const acks: Scored<AckFigures>[] = [];
	for (const c of stats.events.values()) {
		rankEvent(events, c);
		rankAcks(acks, c);
	}
	const other = stats.names.other;
	if (other.in || other.out) {
		rankEvent(events, other);
		rankAcks(acks, other);
	}
	if (events.length) sample.topEvents = events.map((e) => e.item);
	if (acks.length) sample.acks = acks.map((a) => a.item);
}

function rankEvent(top: Scored<TopEventFigures>[], c: EventCounter): void {
	const inDelta = c.in - c.lastIn;
	const outDelta = c.out - c.lastOut;
	c.lastIn = c.in;
	c.lastOut = c.out;
	const score = inDelta + outDelta;
	// Only what enters the list is made: most names of a busy namespace are below it.
	if (score <= 0 || (top.length === SAMPLE_TOP_EVENTS && score <= top[top.length - 1].score))
		return;
	keepTop(
		top,
		{ name: truncateName(c.name), in: inDelta, out: outDelta },
		score,
		SAMPLE_TOP_EVENTS
	);
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
		otherNamespaces: fold(sample.namespaces, (n) => !shown.has(n) && canSee(principal, n.name))
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

/** The namespaces `included` picks, summed into one; read in place, each second per scope. */
function fold(
	namespaces: NamespaceSample[],
	included: (n: NamespaceSample) => boolean
): NamespaceSample {
	const folded: NamespaceSample = { ...emptyNamespaceSample(OTHER_NAMESPACES), namespaces: 0 };
	for (const n of namespaces) {
		if (!included(n)) continue;
		folded.namespaces!++;
		folded.sockets += n.sockets;
		folded.rooms += n.rooms;
		addCounts(folded, n);
		const t = n.transports;
		folded.transports.websocket += t.websocket;
		folded.transports.polling += t.polling;
		folded.transports.webtransport += t.webtransport;
		// Reasons come with disconnects: most namespaces of a second have none to read.
		if (n.disconnects === 0) continue;
		for (const [r, c] of Object.entries(n.reasons))
			folded.reasons[r] = (folded.reasons[r] ?? 0) + c;
	}
	return folded;
}
