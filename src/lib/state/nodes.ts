/**
 * Nodes and the figures across them. Each node publishes its own sample; a cluster's figure is the
 * sum of the latest sample of every node still alive. Liveness is judged by when a sample arrived
 * here, so clocks that disagree between the agent and the browser do not matter.
 */
import type { Sample, TransportCounts } from '$protocol/models';
import { emptyTransportCounts } from '$protocol/samples';
import { TRANSPORTS, livenessOf, type NodeLiveness } from '$protocol/vocabulary';

export interface NodeEntry {
	sample: Sample;
	/** When the sample arrived, in the browser's clock. */
	receivedAt: number;
}

export function healthOf(entry: NodeEntry, now: number): NodeLiveness {
	return livenessOf(now - entry.receivedAt);
}

export interface NamespaceFigures {
	name: string;
	sockets: number;
	rooms: number;
	/** Per second, over the latest interval of each node. */
	eventsIn: number;
	eventsOut: number;
	bytesIn: number;
	bytesOut: number;
}

export interface Totals {
	sockets: number;
	rooms: number;
	/** The largest namespaces, and the rest as one `OTHER_NAMESPACES` row when there is a rest. */
	namespaces: NamespaceFigures[];
	/**
	 * Every namespace in view, the folded ones included: on the node that has the most (a dynamic
	 * namespace is usually on every node; no node sends every name to sum them exactly).
	 */
	namespaceCount: number;
	eventsIn: number;
	eventsOut: number;
	bytesIn: number;
	bytesOut: number;
	transports: TransportCounts;
	/** Heartbeat RTT: the median weighted by each node's count; p99 as the worst node's. */
	rttP50: number | null;
	rttP99: number | null;
	/** The worst node's event-loop delay p99, in milliseconds. */
	loopDelayP99: number | null;
	/** The busiest node's CPU, in percent of one core. */
	cpu: number | null;
	nodesUp: number;
	nodesKnown: number;
}

/** Sums the latest sample of every node that is not down. */
export function totalsOf(entries: Iterable<NodeEntry>, now: number): Totals {
	const totals: Totals = {
		sockets: 0,
		rooms: 0,
		namespaces: [],
		namespaceCount: 0,
		eventsIn: 0,
		eventsOut: 0,
		bytesIn: 0,
		bytesOut: 0,
		transports: emptyTransportCounts(),
		rttP50: null,
		rttP99: null,
		loopDelayP99: null,
		cpu: null,
		nodesUp: 0,
		nodesKnown: 0
	};
	const byName = new Map<string, NamespaceFigures>();
	let rttWeight = 0;
	let rttSum = 0;
	for (const entry of entries) {
		totals.nodesKnown++;
		if (healthOf(entry, now) === 'down') continue;
		totals.nodesUp++;
		const s = entry.sample;
		const perSecond = 1000 / Math.max(s.interval, 1);
		const list = s.otherNamespaces ? [...s.namespaces, s.otherNamespaces] : s.namespaces;
		totals.namespaceCount = Math.max(
			totals.namespaceCount,
			s.namespaces.length + (s.otherNamespaces?.namespaces ?? (s.otherNamespaces ? 1 : 0))
		);
		for (const ns of list) {
			let figures = byName.get(ns.name);
			if (!figures) {
				figures = {
					name: ns.name,
					sockets: 0,
					rooms: 0,
					eventsIn: 0,
					eventsOut: 0,
					bytesIn: 0,
					bytesOut: 0
				};
				byName.set(ns.name, figures);
			}
			figures.sockets += ns.sockets;
			figures.rooms += ns.rooms;
			for (const key of ['eventsIn', 'eventsOut', 'bytesIn', 'bytesOut'] as const) {
				figures[key] += ns[key] * perSecond;
			}
			for (const key of TRANSPORTS) {
				totals.transports[key] += ns.transports[key];
			}
		}
		if (s.rtt.count > 0) {
			rttWeight += s.rtt.count;
			rttSum += s.rtt.p50 * s.rtt.count;
			totals.rttP99 = Math.max(totals.rttP99 ?? 0, s.rtt.p99);
		}
		totals.loopDelayP99 = Math.max(totals.loopDelayP99 ?? 0, s.process.loopDelay.p99);
		totals.cpu = Math.max(totals.cpu ?? 0, s.process.cpu);
	}
	if (rttWeight > 0) totals.rttP50 = rttSum / rttWeight;
	totals.namespaces = [...byName.values()].sort(
		(a, b) => b.sockets - a.sockets || (a.name < b.name ? -1 : 1)
	);
	for (const ns of totals.namespaces) {
		totals.sockets += ns.sockets;
		totals.rooms += ns.rooms;
		totals.eventsIn += ns.eventsIn;
		totals.eventsOut += ns.eventsOut;
		totals.bytesIn += ns.bytesIn;
		totals.bytesOut += ns.bytesOut;
	}
	return totals;
}

export interface Ranked {
	namespace: string;
	name: string;
	value: number;
	/** For events: the incoming and outgoing parts of `value`. */
	in?: number;
	out?: number;
}

/** How many seconds the given samples of each node cover, to turn their counts into rates. */
function windowOf(samples: Sample[]): (sample: Sample) => number {
	const seconds = new Map<string, number>();
	for (const s of samples) seconds.set(s.nodeId, (seconds.get(s.nodeId) ?? 0) + s.interval / 1000);
	return (sample) => Math.max(seconds.get(sample.nodeId) ?? 1, 0.001);
}

/**
 * The busiest event names over recent samples, per second. A name counts only in the intervals
 * where it made its namespace's top list, so this ranks the busiest rather than counting all.
 */
export function topEventsOf(samples: Sample[], limit: number): Ranked[] {
	const window = windowOf(samples);
	const figures = new Map<string, Ranked & { in: number; out: number }>();
	for (const s of samples) {
		for (const ns of s.namespaces) {
			for (const e of ns.topEvents) {
				const key = `${ns.name}\u0000${e.name}`;
				let f = figures.get(key);
				if (!f)
					figures.set(key, (f = { namespace: ns.name, name: e.name, value: 0, in: 0, out: 0 }));
				f.in += e.in / window(s);
				f.out += e.out / window(s);
				f.value = f.in + f.out;
			}
		}
	}
	return [...figures.values()].sort((a, b) => b.value - a.value).slice(0, limit);
}

/** The largest rooms in the latest samples, summed across the nodes where they have members. */
export function topRoomsOf(entries: Iterable<NodeEntry>, now: number, limit: number): Ranked[] {
	const rooms = new Map<string, Ranked>();
	for (const entry of entries) {
		if (healthOf(entry, now) === 'down') continue;
		for (const ns of entry.sample.namespaces) {
			// A node's own largest rooms, and its share of those other nodes list (a room spanning
			// nodes); a room in both (listed, but cut from what this dashboard was sent) counts once.
			const listed = ns.sharedRooms && new Set(ns.topRooms.map((r) => r.name));
			const shared = ns.sharedRooms?.filter((r) => !listed!.has(r.name)) ?? [];
			for (const r of shared.length ? [...ns.topRooms, ...shared] : ns.topRooms) {
				const key = `${ns.name}\u0000${r.name}`;
				const room = rooms.get(key);
				if (room) room.value += r.size;
				else rooms.set(key, { namespace: ns.name, name: r.name, value: r.size });
			}
		}
	}
	return [...rooms.values()].sort((a, b) => b.value - a.value).slice(0, limit);
}

export interface NamespaceRates {
	eventsIn: number;
	eventsOut: number;
	bytesIn: number;
	bytesOut: number;
}

/** Per namespace, events and bytes per second over recent samples, summed across nodes. */
export function namespaceRatesOf(samples: Sample[]): Map<string, NamespaceRates> {
	const window = windowOf(samples);
	const rates = new Map<string, NamespaceRates>();
	for (const s of samples) {
		for (const ns of s.otherNamespaces ? [...s.namespaces, s.otherNamespaces] : s.namespaces) {
			let r = rates.get(ns.name);
			if (!r) rates.set(ns.name, (r = { eventsIn: 0, eventsOut: 0, bytesIn: 0, bytesOut: 0 }));
			for (const key of ['eventsIn', 'eventsOut', 'bytesIn', 'bytesOut'] as const)
				r[key] += ns[key] / window(s);
		}
	}
	return rates;
}

/**
 * Totals whose traffic figures are the averaged rates rather than the last interval's, which
 * drop to 0 between bursts: the Overview's tiles then read what the Namespaces page reads.
 */
export function withRates(totals: Totals, rates: Map<string, NamespaceRates>): Totals {
	const keys = ['eventsIn', 'eventsOut', 'bytesIn', 'bytesOut'] as const;
	const out: Totals = { ...totals, namespaces: totals.namespaces.map((ns) => ({ ...ns })) };
	for (const key of keys) out[key] = 0;
	for (const ns of out.namespaces) {
		const r = rates.get(ns.name);
		for (const key of keys) {
			ns[key] = r?.[key] ?? 0;
			out[key] += ns[key];
		}
	}
	return out;
}

/** A node whose figures the totals lack (down) or hold from a while ago (stale). */
export interface MissingNode {
	nodeId: string;
	state: 'stale' | 'down';
}

export interface MissingFigures {
	nodes: MissingNode[];
	/** The connected node says its link to the other nodes (the adapter's store) is down. */
	linkDown: boolean;
}

/**
 * Which nodes' figures the cluster's totals are missing: those whose samples stopped reaching this
 * dashboard, and those the connected node (`ownId`) still remembers but no longer hears from, so
 * that a store outage, where every other node drops out of the totals, says so where the totals are.
 */
export function missingFiguresOf(
	entries: ReadonlyMap<string, NodeEntry>,
	ownId: string | undefined,
	now: number
): MissingFigures {
	const own = ownId === undefined ? undefined : entries.get(ownId);
	const peers = own?.sample.cluster?.peers;
	// A node down long enough for the connected node to forget it (gone for good) is no longer news.
	const remembered = peers && new Set(peers.map((p) => p.nodeId));
	const missing = new Map<string, MissingNode['state']>();
	for (const [nodeId, entry] of entries) {
		const state = healthOf(entry, now);
		if (state === 'up' || (state === 'down' && remembered && !remembered.has(nodeId))) continue;
		missing.set(nodeId, state);
	}
	for (const peer of peers ?? []) {
		if (peer.state === 'up' || missing.has(peer.nodeId)) continue;
		// A peer this dashboard still hears from is not missing, whatever the node says.
		const entry = entries.get(peer.nodeId);
		if (entry && healthOf(entry, now) === 'up') continue;
		missing.set(peer.nodeId, peer.state);
	}
	return {
		nodes: [...missing]
			.map(([nodeId, state]) => ({ nodeId, state }))
			.sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1)),
		linkDown: own?.sample.cluster?.healthy === false
	};
}
