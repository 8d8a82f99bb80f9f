/**
 * Time series for the charts, in fixed buckets. The agent's history (columnar, one node each) and
 * live samples (every node) land in the same buckets, one row per node per bucket, so that a
 * cluster's series is the sum of its nodes and a history drawn at once continues live.
 */
import type { History, NamespaceSample, Sample } from '$protocol/models';
import { LEVEL_FIGURES, OTHER_NAMESPACES } from '$protocol/vocabulary';

/** Named values of one node in one bucket. Keys: see `rowOfSample`. */
export type Row = Record<string, number>;

export interface Point {
	x: number;
	y: number;
}

interface Bucket {
	t: number;
	nodes: Map<string, Row>;
	sum: Row | null;
}

/** Key prefix of refused and failed connections per second, by code. */
export const CONNECTION_ERROR = 'connerr:';

/** Levels are a value at an instant: in a bucket the latest wins. Everything else is a count. */
function isLevel(key: string): boolean {
	return LEVELS.some((prefix) => key.startsWith(prefix));
}

/** Per-namespace levels, and transports and node health, which are levels too. */
const LEVELS = [...LEVEL_FIGURES, 'transport', 'node'].map((prefix) => `${prefix}:`);

/** Keys of one node's health (CPU, loop delay, memory): levels, kept apart per node. */
export const nodeKey = (figure: 'cpu' | 'loop' | 'rss', nodeId: string) =>
	`node:${figure}:${nodeId}`;

function addNamespace(row: Row, ns: NamespaceSample, name = ns.name): void {
	row[`sockets:${name}`] = ns.sockets;
	row[`rooms:${name}`] = ns.rooms;
	for (const key of ['connects', 'disconnects', 'refused'] as const) add(row, key, ns[key]);
	// Absent from agents older than the count, and from admin-ui, which has no such figure.
	add(row, 'recovered', ns.recovered ?? 0);
	for (const key of ['eventsIn', 'eventsOut', 'bytesIn', 'bytesOut'] as const)
		add(row, key, ns[key]);
	// Per namespace too, for the Namespaces page: only the few a sample lists one by one.
	row[`eventsIn:${name}`] = ns.eventsIn;
	row[`eventsOut:${name}`] = ns.eventsOut;
	for (const [reason, count] of Object.entries(ns.reasons)) add(row, `reason:${reason}`, count);
	for (const [transport, count] of Object.entries(ns.transports)) {
		add(row, `transport:${transport}`, count);
	}
}

function add(row: Row, key: string, value: number): void {
	row[key] = (row[key] ?? 0) + value;
}

/** One node's row from its sample: levels per namespace and transport, counts summed. */
export function rowOfSample(sample: Sample): Row {
	const row: Row = {};
	for (const ns of sample.namespaces) addNamespace(row, ns);
	if (sample.otherNamespaces) addNamespace(row, sample.otherNamespaces, OTHER_NAMESPACES);
	for (const [code, count] of Object.entries(sample.connectionErrors?.counts ?? {}))
		add(row, `${CONNECTION_ERROR}${code}`, count);
	row[nodeKey('cpu', sample.nodeId)] = sample.process.cpu;
	row[nodeKey('loop', sample.nodeId)] = sample.process.loopDelay.p99;
	row[nodeKey('rss', sample.nodeId)] = sample.process.rss;
	return row;
}

/** The rows of a columnar history, one per bucket. */
function rowsOfHistory(history: History): { t: number; row: Row }[] {
	return history.t.map((t, i) => {
		const row: Row = {};
		// A series that is 0 throughout comes empty (most namespaces of a multi-tenant app idle).
		for (const [name, s] of Object.entries(history.namespaces)) {
			row[`sockets:${name}`] = s.sockets[i] ?? 0;
			row[`rooms:${name}`] = s.rooms[i] ?? 0;
			for (const key of ['connects', 'disconnects', 'refused'] as const)
				add(row, key, s[key][i] ?? 0);
			add(row, 'recovered', s.recovered?.[i] ?? 0);
			for (const key of ['eventsIn', 'eventsOut', 'bytesIn', 'bytesOut'] as const) {
				add(row, key, s[key][i] ?? 0);
			}
			row[`eventsIn:${name}`] = s.eventsIn[i] ?? 0;
			row[`eventsOut:${name}`] = s.eventsOut[i] ?? 0;
			for (const [reason, values] of Object.entries(s.reasons)) {
				add(row, `reason:${reason}`, values[i] ?? 0);
			}
		}
		for (const [code, values] of Object.entries(history.connectionErrors ?? {}))
			add(row, `${CONNECTION_ERROR}${code}`, values[i] ?? 0);
		row['transport:websocket'] = history.node.websocket[i] ?? 0;
		row['transport:polling'] = history.node.polling[i] ?? 0;
		row[nodeKey('cpu', history.nodeId)] = history.node.cpu[i] ?? 0;
		row[nodeKey('loop', history.nodeId)] = history.node.loopDelayP99[i] ?? 0;
		row[nodeKey('rss', history.nodeId)] = history.node.rss[i] ?? 0;
		return { t, row };
	});
}

export class SeriesStore {
	readonly #buckets: Bucket[] = [];
	/** Per node, the bucket its last row went to, to bridge a bucket that timer drift skipped. */
	readonly #last = new Map<string, number>();
	readonly #keys = new Set<string>();

	constructor(
		/** Bucket length in milliseconds. */
		readonly step: number,
		/** How far back buckets are kept, in milliseconds. */
		readonly span: number
	) {}

	static fromHistory(histories: History[], span: number, fallbackStep = 1000): SeriesStore {
		const store = new SeriesStore(histories[0]?.step || fallbackStep, span);
		for (const h of histories)
			for (const { t, row } of rowsOfHistory(h)) store.add(h.nodeId, t, row);
		return store;
	}

	/** The end of the newest bucket (the agent's clock), or null when empty. */
	get latest(): number | null {
		return this.#buckets.at(-1)?.t ?? null;
	}

	get size(): number {
		return this.#buckets.length;
	}

	addSample(sample: Sample): void {
		this.add(sample.nodeId, sample.t, rowOfSample(sample));
	}

	add(nodeId: string, t: number, row: Row): void {
		const bt = Math.round(t / this.step) * this.step;
		const previous = this.#last.get(nodeId);
		if (previous !== undefined && bt - previous > this.step && bt - previous <= 3 * this.step) {
			// A skipped bucket would show this node's sockets dropping to zero for one step.
			const levels = levelsOf(this.#bucket(previous).nodes.get(nodeId) ?? {});
			for (let gap = previous + this.step; gap < bt; gap += this.step)
				this.#merge(gap, nodeId, levels);
		}
		this.#merge(bt, nodeId, row);
		if (previous === undefined || bt > previous) this.#last.set(nodeId, bt);
		this.#trim();
	}

	#merge(t: number, nodeId: string, row: Row): void {
		const bucket = this.#bucket(t);
		const existing = bucket.nodes.get(nodeId);
		if (!existing) bucket.nodes.set(nodeId, { ...row });
		else
			for (const [k, v] of Object.entries(row))
				existing[k] = isLevel(k) ? v : (existing[k] ?? 0) + v;
		for (const k of Object.keys(row)) this.#keys.add(k);
		bucket.sum = null;
	}

	#bucket(t: number): Bucket {
		const buckets = this.#buckets;
		let i = buckets.length;
		// Rows arrive in time order, so the search almost always stops at the end.
		while (i > 0 && buckets[i - 1].t > t) i--;
		if (i > 0 && buckets[i - 1].t === t) return buckets[i - 1];
		const bucket: Bucket = { t, nodes: new Map(), sum: null };
		buckets.splice(i, 0, bucket);
		return bucket;
	}

	#trim(): void {
		const oldest = (this.latest ?? 0) - this.span;
		let drop = 0;
		while (drop < this.#buckets.length && this.#buckets[drop].t < oldest) drop++;
		if (drop > 0) this.#buckets.splice(0, drop);
	}

	#sum(bucket: Bucket): Row {
		if (bucket.sum) return bucket.sum;
		const sum: Row = {};
		for (const row of bucket.nodes.values())
			for (const [k, v] of Object.entries(row)) add(sum, k, v);
		bucket.sum = sum;
		return sum;
	}

	/** Keys seen so far that start with `prefix`, without it: namespaces, reasons, transports. */
	keys(prefix: string): string[] {
		const out: string[] = [];
		for (const k of this.#keys) if (k.startsWith(prefix)) out.push(k.slice(prefix.length));
		return out.sort();
	}

	/** The key's value per bucket, summed over nodes; counts as a rate per second. */
	points(key: string, since = -Infinity): Point[] {
		const scale = isLevel(key) ? 1 : 1000 / this.step;
		const out: Point[] = [];
		for (const b of this.#buckets)
			if (b.t > since) out.push({ x: b.t, y: (this.#sum(b)[key] ?? 0) * scale });
		return out;
	}

	/** The key's total over the buckets that end after `since`. */
	total(key: string, since: number): number {
		let total = 0;
		for (let i = this.#buckets.length - 1; i >= 0 && this.#buckets[i].t > since; i--) {
			total += this.#sum(this.#buckets[i])[key] ?? 0;
		}
		return total;
	}
}

function levelsOf(row: Row): Row {
	const out: Row = {};
	for (const [k, v] of Object.entries(row)) if (isLevel(k)) out[k] = v;
	return out;
}
