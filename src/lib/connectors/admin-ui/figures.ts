/**
 * What admin-ui reports, as Sockscope's samples: once a second, one sample per server heard from.
 *
 * Socket-level counts (connects, events, joins) arrive on the admin namespace without saying which
 * server saw them, so they are booked on the first live server, whose socket count is the indexed
 * total less what the other servers report. Engine-level counts (bytes; connections in production
 * mode) come per second in each server's `server_stats`, every 2 s; they are played back
 * `ENGINE_LAG_MS` late, so that every second is shown whole instead of in bursts.
 */
import { SAMPLE_TOP_EVENTS, SAMPLE_TOP_ROOMS, OTHER_EVENTS } from '$protocol/limits';
import type {
	TopEventFigures,
	NamespaceSample,
	Percentiles,
	Sample,
	TransportCounts
} from '$protocol/models';
import { emptyNamespaceSample, emptyTransportCounts } from '$protocol/samples';
import { keepTop, truncateName, type Scored } from '$protocol/top-n';
import { TRANSPORTS } from '$protocol/vocabulary';
import type { NamespaceIndex, SocketIndex } from './socket-index';
import type { AdminUiServerStats } from './wire';

/** A server is shown while its stats keep coming; it reports every 2 s. */
const FRESH_MS = 5000;
/** A second's engine counts are complete once the report after it has arrived. */
const ENGINE_LAG_MS = 3500;
/** Distinct event names counted per namespace and interval; the rest go under `_other`. */
const MAX_EVENT_NAMES = 200;

interface Counts {
	connects: number;
	disconnects: number;
	reasons: Record<string, number>;
	eventsIn: number;
	eventsOut: number;
	joins: number;
	leaves: number;
	bytesIn: number;
	bytesOut: number;
	events: Map<string, { in: number; out: number }>;
}

export interface ServerEntry {
	stats: AdminUiServerStats;
	receivedAt: number;
	/** Engine counts per second (epoch ms), waiting to be played back. */
	seconds: Map<number, Counts>;
}

/** Per namespace, since the page opened. */
export interface NamespaceTotals {
	connects: number;
	disconnects: number;
	eventsIn: number;
	eventsOut: number;
}

const NO_PERCENTILES: Percentiles = { p50: 0, p90: 0, p99: 0, max: 0, count: 0 };

function counts(): Counts {
	return {
		connects: 0,
		disconnects: 0,
		reasons: {},
		eventsIn: 0,
		eventsOut: 0,
		joins: 0,
		leaves: 0,
		bytesIn: 0,
		bytesOut: 0,
		events: new Map()
	};
}

function addCounts(into: Counts, from: Counts): void {
	for (const key of ['connects', 'disconnects', 'bytesIn', 'bytesOut'] as const)
		into[key] += from[key];
	for (const [reason, n] of Object.entries(from.reasons))
		into.reasons[reason] = (into.reasons[reason] ?? 0) + n;
}

export class Figures {
	readonly servers = new Map<string, ServerEntry>();
	readonly totals = new Map<string, NamespaceTotals>();
	/** Whether socket-level events arrive (development mode). */
	detailed = false;
	#interval = new Map<string, Counts>();
	#lastTick = 0;

	constructor(
		private readonly index: SocketIndex,
		private readonly admin: string
	) {}

	#counts(namespace: string): Counts {
		let c = this.#interval.get(namespace);
		if (!c) this.#interval.set(namespace, (c = counts()));
		return c;
	}

	#total(namespace: string): NamespaceTotals {
		let t = this.totals.get(namespace);
		if (!t)
			this.totals.set(namespace, (t = { connects: 0, disconnects: 0, eventsIn: 0, eventsOut: 0 }));
		return t;
	}

	connected(namespace: string): void {
		this.#counts(namespace).connects++;
		this.#total(namespace).connects++;
	}

	disconnected(namespace: string, reason: string): void {
		const c = this.#counts(namespace);
		c.disconnects++;
		c.reasons[reason] = (c.reasons[reason] ?? 0) + 1;
		this.#total(namespace).disconnects++;
	}

	event(namespace: string, name: string, direction: 'in' | 'out'): void {
		const c = this.#counts(namespace);
		const key = c.events.size < MAX_EVENT_NAMES || c.events.has(name) ? name : OTHER_EVENTS;
		let e = c.events.get(key);
		if (!e) c.events.set(key, (e = { in: 0, out: 0 }));
		e[direction]++;
		if (direction === 'in') {
			c.eventsIn++;
			this.#total(namespace).eventsIn++;
		} else {
			c.eventsOut++;
			this.#total(namespace).eventsOut++;
		}
	}

	joined(namespace: string): void {
		this.#counts(namespace).joins++;
	}

	left(namespace: string): void {
		this.#counts(namespace).leaves++;
	}

	stats(stats: AdminUiServerStats, now: number): void {
		let server = this.servers.get(stats.serverId);
		if (!server)
			this.servers.set(stats.serverId, (server = { stats, receivedAt: now, seconds: new Map() }));
		server.stats = stats;
		server.receivedAt = now;
		for (const e of stats.aggregatedEvents ?? []) {
			let second = server.seconds.get(e.timestamp);
			if (!second) server.seconds.set(e.timestamp, (second = counts()));
			if (e.type === 'rawConnection') second.connects += e.count;
			else if (e.type === 'rawDisconnection') {
				second.disconnects += e.count;
				const reason = e.subType ?? 'unknown';
				second.reasons[reason] = (second.reasons[reason] ?? 0) + e.count;
			} else if (e.type === 'bytesIn') second.bytesIn += e.count;
			else if (e.type === 'bytesOut') second.bytesOut += e.count;
		}
	}

	/** The servers still reporting, the first of them the one socket-level counts are booked on. */
	live(now: number): ServerEntry[] {
		return [...this.servers.values()].filter((s) => now - s.receivedAt < FRESH_MS);
	}

	/** One sample per live server, closing the interval. */
	samples(now: number): Sample[] {
		const interval = this.#lastTick ? Math.max(1, now - this.#lastTick) : 1000;
		this.#lastTick = now;
		const live = this.live(now);
		const samples = live.map((server, i) => this.#sample(server, i === 0, live, now, interval));
		this.#interval.clear();
		return samples;
	}

	#sample(
		server: ServerEntry,
		primary: boolean,
		live: ServerEntry[],
		now: number,
		interval: number
	): Sample {
		const names = new Set(server.stats.namespaces.map((n) => n.name));
		if (primary && this.detailed) for (const name of this.index.namespaces.keys()) names.add(name);
		names.delete(this.admin);
		const namespaces = [...(names.size ? names : ['/'])]
			.sort()
			.map((name) => this.#namespace(name, server, primary, live));
		// Engine counts belong to no namespace; the first one carries them into the totals.
		const engine = this.#engineSeconds(server, now);
		const first = namespaces[0];
		first.bytesIn += engine.bytesIn;
		first.bytesOut += engine.bytesOut;
		if (!this.detailed) {
			first.connects += engine.connects;
			first.disconnects += engine.disconnects;
			for (const [reason, n] of Object.entries(engine.reasons))
				first.reasons[reason] = (first.reasons[reason] ?? 0) + n;
		}
		const { stats } = server;
		return {
			nodeId: stats.serverId,
			t: now,
			interval,
			namespaces,
			rtt: NO_PERCENTILES,
			process: {
				cpu: 0,
				rss: 0,
				heapUsed: 0,
				heapTotal: 0,
				elu: 0,
				loopDelay: NO_PERCENTILES,
				uptime: stats.uptime + (now - server.receivedAt) / 1000
			},
			faults: 0
		};
	}

	/** The engine counts of every second old enough to be complete, summed and forgotten. */
	#engineSeconds(server: ServerEntry, now: number): Counts {
		const due = now - ENGINE_LAG_MS;
		const sum = counts();
		for (const [t, second] of server.seconds) {
			if (t > due) continue;
			addCounts(sum, second);
			server.seconds.delete(t);
		}
		return sum;
	}

	#namespace(
		name: string,
		server: ServerEntry,
		primary: boolean,
		live: ServerEntry[]
	): NamespaceSample {
		const reported = reportedSockets(server, name);
		const sample: NamespaceSample = {
			...emptyNamespaceSample(name),
			sockets: reported,
			transports: estimateTransports(server, reported)
		};
		if (!primary || !this.detailed) return sample;
		const ns = this.index.namespaces.get(name);
		const others = live.filter((s) => s !== server);
		const exact = transportsOf(ns);
		for (const other of others) {
			const theirs = estimateTransports(other, reportedSockets(other, name));
			for (const key of TRANSPORTS) exact[key] = Math.max(0, exact[key] - theirs[key]);
		}
		const c = this.#interval.get(name) ?? counts();
		Object.assign(sample, {
			sockets: exact.websocket + exact.polling + exact.webtransport,
			rooms: ns?.rooms.size ?? 0,
			transports: exact,
			connects: c.connects,
			disconnects: c.disconnects,
			reasons: { ...c.reasons },
			eventsIn: c.eventsIn,
			eventsOut: c.eventsOut,
			joins: c.joins,
			leaves: c.leaves,
			topEvents: topEvents(c),
			topRooms: topRooms(ns)
		});
		return sample;
	}
}

function reportedSockets(server: ServerEntry, name: string): number {
	return server.stats.namespaces.find((n) => n.name === name)?.socketsCount ?? 0;
}

/** A server's sockets split by transport in the proportion of its engine connections. */
function estimateTransports(server: ServerEntry, sockets: number): TransportCounts {
	const { clientsCount, pollingClientsCount } = server.stats;
	const polling = clientsCount > 0 ? Math.round((sockets * pollingClientsCount) / clientsCount) : 0;
	return { websocket: sockets - polling, polling, webtransport: 0 };
}

function transportsOf(ns: NamespaceIndex | undefined): TransportCounts {
	const t = emptyTransportCounts();
	for (const s of ns?.sockets.values() ?? []) t[s.transport]++;
	return t;
}

function topEvents(c: Counts): TopEventFigures[] {
	const top: Scored<string>[] = [];
	for (const [name, e] of c.events) keepTop(top, name, e.in + e.out, SAMPLE_TOP_EVENTS);
	return top.map(({ item }) => {
		const e = c.events.get(item)!;
		return { name: truncateName(item), in: e.in, out: e.out };
	});
}

function topRooms(ns: NamespaceIndex | undefined): { name: string; size: number }[] {
	const top: Scored<string>[] = [];
	for (const [name, members] of ns?.rooms ?? []) keepTop(top, name, members.size, SAMPLE_TOP_ROOMS);
	return top.map(({ item, score }) => ({ name: truncateName(item), size: score }));
}
