/**
 * Bounded history rings, so that a dashboard opened now draws the last minutes and hours at once:
 * one row a second for the recent minutes, one row per ten seconds for the last hours. Memory is
 * fixed by the ring sizes and the cap on namespaces per row.
 */
import type {
	History,
	HistoryRange,
	HistorySpan,
	NamespaceSample,
	NamespaceSeries,
	NodeSeries,
	RoomHistory,
	Sample
} from '../../protocol/models.js';
import { HISTORY_KEPT, TOP_NAMESPACES } from '../../protocol/limits.js';
import { NAMESPACE_SERIES } from '../../protocol/samples.js';
import { keepFirst } from '../../protocol/top-n.js';
import { LEVEL_FIGURES, OTHER_NAMESPACES } from '../../protocol/vocabulary.js';
import type { RoomSizes } from './room-history.js';

/** Namespaces kept per row; the rest are summed under `OTHER_NAMESPACES`, shown to nobody. */
const MAX_NAMESPACES_PER_ROW = 32;

const NS_FIELDS = NAMESPACE_SERIES;
/** Fields that are levels (kept as the last value of a bucket); the others are summed. */
const LEVELS = new Set<string>(LEVEL_FIGURES);
/** Process health: the same for every principal. Transport counts are per namespace, in `NamespaceRow`. */
const NODE_FIELDS = ['cpu', 'rss', 'heapUsed', 'loopDelayP99', 'rttP50', 'rttP99'] as const;

interface NamespaceRow {
	values: number[];
	reasons: Record<string, number>;
	/** Sockets on WebSocket and on polling, at the end of the bucket. */
	websocket: number;
	polling: number;
}

interface Row {
	t: number;
	ns: Map<string, NamespaceRow>;
	node: number[];
	/** Refused and failed connections by code, when there were any. */
	errors?: Record<string, number>;
	/** Members of the tracked rooms at the end of the bucket (room-history.ts). */
	rooms?: RoomSizes;
}

class Ring {
	private readonly rows: (Row | undefined)[];
	private next = 0;
	private size = 0;

	constructor(readonly capacity: number) {
		this.rows = new Array(capacity);
	}

	push(row: Row): void {
		this.rows[this.next] = row;
		this.next = (this.next + 1) % this.capacity;
		if (this.size < this.capacity) this.size++;
	}

	/** The rows that end within `[from, to]`, oldest first: one pass over the ring at most. */
	between(from: number, to: number): Row[] {
		const out: Row[] = [];
		for (const row of this.last(this.size)) if (row.t >= from && row.t <= to) out.push(row);
		return out;
	}

	/** The newest `count` rows, oldest first. */
	last(count: number): Row[] {
		const n = Math.min(count, this.size);
		const out: Row[] = [];
		for (let i = n; i > 0; i--)
			out.push(this.rows[(this.next - i + this.capacity) % this.capacity]!);
		return out;
	}
}

const RANGES: Record<HistoryRange, { coarse: boolean; seconds: number }> = {
	'1m': { coarse: false, seconds: 60 },
	'5m': { coarse: false, seconds: 300 },
	'15m': { coarse: false, seconds: 900 },
	'1h': { coarse: true, seconds: 3600 },
	'6h': { coarse: true, seconds: 21_600 }
};

export class HistoryStore {
	private readonly recent: Ring;
	private readonly coarse: Ring;
	private pending: Row[] = [];

	constructor(
		private readonly nodeId: string,
		private readonly stepMs: number,
		private readonly coarseFactor = 10
	) {
		this.recent = new Ring(Math.ceil(HISTORY_KEPT.FINE_MS / stepMs));
		this.coarse = new Ring(Math.ceil(HISTORY_KEPT.COARSE_MS / (stepMs * coarseFactor)));
	}

	add(sample: Sample, rooms?: RoomSizes): void {
		// The largest chosen in one pass: a sort of 10,000 namespaces a second would be the sampler's
		// heaviest work.
		const top: NamespaceSample[] = [];
		for (const n of sample.namespaces) keepFirst(top, n, bySockets, MAX_NAMESPACES_PER_ROW);
		const ns = new Map<string, NamespaceRow>();
		for (const n of top) ns.set(n.name, rowOf(n));
		if (sample.namespaces.length > top.length) {
			const kept = new Set(top);
			let other: NamespaceRow | undefined;
			for (const n of sample.namespaces) {
				if (kept.has(n)) continue;
				if (other) accumulate(other, n);
				else ns.set(OTHER_NAMESPACES, (other = rowOf(n)));
			}
		}
		const p = sample.process;
		const row: Row = {
			t: sample.t,
			ns,
			node: [p.cpu, p.rss, p.heapUsed, p.loopDelay.p99, sample.rtt.p50, sample.rtt.p99]
		};
		const errors = sample.connectionErrors?.counts;
		if (errors && Object.keys(errors).length) row.errors = { ...errors };
		if (rooms) row.rooms = rooms;
		this.recent.push(row);
		this.pending.push(row);
		if (this.pending.length >= this.coarseFactor) {
			this.coarse.push(mergeRows(this.pending));
			this.pending = [];
		}
	}

	/** One room's members over a range, by its key (`roomKey`); null where it was not tracked. */
	roomQuery(range: HistoryRange, key: string): RoomHistory {
		const { step, rows } = this.rowsOf(range);
		// Consecutive rows mostly share one keys array: look the key up once per array.
		let keys: readonly string[] | undefined;
		let at = -1;
		return {
			step,
			t: rows.map((r) => r.t),
			size: rows.map((r) => {
				if (!r.rooms) return null;
				if (r.rooms.keys !== keys) at = (keys = r.rooms.keys).indexOf(key);
				return at < 0 ? null : r.rooms.sizes[at];
			})
		};
	}

	private rowsOf(range: HistoryRange): { step: number; rows: Row[] } {
		const { coarse, seconds } = RANGES[range];
		const step = coarse ? this.stepMs * this.coarseFactor : this.stepMs;
		const rows = (coarse ? this.coarse : this.recent).last(Math.ceil((seconds * 1000) / step));
		return { step, rows };
	}

	/**
	 * The rows of an absolute span: every sample when the fine ring still holds its start, else
	 * the coarse buckets. Bounded by the rings' sizes, whatever the span asked.
	 */
	private rowsBetween(from: number, to: number, now: number): { step: number; rows: Row[] } {
		if (from >= now - HISTORY_KEPT.FINE_MS)
			return { step: this.stepMs, rows: this.recent.between(from, to) };
		return { step: this.stepMs * this.coarseFactor, rows: this.coarse.between(from, to) };
	}

	/**
	 * The history of a range ending now, or of an absolute span, in columns, limited to the namespaces `visible` allows: the
	 * `TOP_NAMESPACES` with the most sockets in the newest row, and every other one in view summed
	 * under `OTHER_NAMESPACES` (for a principal who sees every namespace, the row's own folded rest
	 * too). Its size is bounded by the range, not by the number of namespaces.
	 */
	query(
		span: HistoryRange | HistorySpan,
		visible: (namespace: string) => boolean,
		now = Date.now()
	): History {
		const { step, rows } =
			typeof span === 'string' ? this.rowsOf(span) : this.rowsBetween(span.from, span.to, now);
		// Only a principal who sees every namespace may see the rows' folded rest (unnamed ones).
		const seesAll = visible(OTHER_NAMESPACES);
		const shows = (name: string) => (name === OTHER_NAMESPACES ? seesAll : visible(name));
		const top: [string, number][] = [];
		for (const [name, r] of rows.at(-1)?.ns ?? []) {
			if (name !== OTHER_NAMESPACES && visible(name))
				keepFirst<[string, number]>(
					top,
					[name, r.values[0]],
					(a, b) => b[1] - a[1],
					TOP_NAMESPACES
				);
		}
		const named = new Set(top.map(([name]) => name));
		const namespaces: Record<string, NamespaceSeries> = {};
		for (const name of named) namespaces[name] = emptySeries();
		let other: NamespaceSeries | undefined;
		const node = Object.fromEntries(
			[...NODE_FIELDS, 'websocket', 'polling'].map((f) => [f, [] as number[]])
		) as unknown as NodeSeries;
		rows.forEach((row, i) => {
			for (const name of named) pushRow(namespaces[name], row.ns.get(name), i);
			// The rest in view, summed for this row; its series starts where it is first needed.
			let rest: NamespaceRow | undefined;
			for (const [name, r] of row.ns) {
				if (named.has(name) || !shows(name)) continue;
				if (rest) addRow(rest, r);
				else rest = { ...r, values: [...r.values], reasons: { ...r.reasons } };
			}
			if (rest && !other) {
				other = emptySeries();
				for (const f of NS_FIELDS) other[f] = new Array(i).fill(0);
			}
			if (other) pushRow(other, rest, i);
			NODE_FIELDS.forEach((f, j) => node[f].push(row.node[j]));
			// Only the namespaces this principal may see: a tenant does not learn others' transports.
			let websocket = 0;
			let polling = 0;
			for (const [name, r] of row.ns) {
				if (!shows(name)) continue;
				websocket += r.websocket;
				polling += r.polling;
			}
			node.websocket.push(websocket);
			node.polling.push(polling);
		});
		if (other) namespaces[OTHER_NAMESPACES] = other;
		for (const series of Object.values(namespaces)) dropZeros(series);
		const history: History = {
			nodeId: this.nodeId,
			step,
			t: rows.map((r) => r.t),
			namespaces,
			node
		};
		// Engine errors belong to no namespace: only a principal who sees them all sees them.
		if (seesAll) history.connectionErrors = errorSeries(rows);
		return history;
	}
}

/** Appends row `i` of one namespace (or a sum of several) to its series; 0 where it is absent. */
function pushRow(series: NamespaceSeries, r: NamespaceRow | undefined, i: number): void {
	NS_FIELDS.forEach((f, j) => series[f].push(r ? r.values[j] : 0));
	for (const reason of Object.keys(r?.reasons ?? {})) {
		series.reasons[reason] ??= new Array(i).fill(0);
	}
	for (const [reason, values] of Object.entries(series.reasons))
		values.push(r?.reasons[reason] ?? 0);
}

/** A series that is 0 throughout goes empty: idle namespaces are most of a multi-tenant app's. */
function dropZeros(series: NamespaceSeries): void {
	for (const f of NS_FIELDS) if (series[f].every((v) => v === 0)) series[f] = [];
}

function addRow(sum: NamespaceRow, r: NamespaceRow): void {
	r.values.forEach((v, j) => (sum.values[j] += v));
	sum.websocket += r.websocket;
	sum.polling += r.polling;
	for (const [reason, count] of Object.entries(r.reasons))
		sum.reasons[reason] = (sum.reasons[reason] ?? 0) + count;
}

function bySockets(a: NamespaceSample, b: NamespaceSample): number {
	return b.sockets - a.sockets;
}

function rowOf(n: NamespaceSample): NamespaceRow {
	const values = new Array<number>(NS_FIELDS.length);
	for (let j = 0; j < NS_FIELDS.length; j++) values[j] = n[NS_FIELDS[j]];
	return {
		values,
		reasons: n.disconnects === 0 ? {} : { ...n.reasons },
		websocket: n.transports.websocket,
		polling: n.transports.polling
	};
}

function errorSeries(rows: Row[]): Record<string, number[]> {
	const series: Record<string, number[]> = {};
	rows.forEach((row, i) => {
		for (const [code, n] of Object.entries(row.errors ?? {})) {
			(series[code] ??= new Array(rows.length).fill(0))[i] = n;
		}
	});
	return series;
}

function emptySeries(): NamespaceSeries {
	const series = Object.fromEntries(
		NS_FIELDS.map((f) => [f, [] as number[]])
	) as unknown as NamespaceSeries;
	series.reasons = {};
	return series;
}

/**
 * Adds a namespace into the row of the rest: every second for all but 32 of possibly thousands, so
 * no closure and no copy of its reasons, which come only with disconnects.
 */
function accumulate(row: NamespaceRow, n: NamespaceSample): void {
	const values = row.values;
	for (let j = 0; j < NS_FIELDS.length; j++) values[j] += n[NS_FIELDS[j]];
	row.websocket += n.transports.websocket;
	row.polling += n.transports.polling;
	if (n.disconnects === 0) return;
	for (const [reason, count] of Object.entries(n.reasons))
		row.reasons[reason] = (row.reasons[reason] ?? 0) + count;
}

/** One coarse row from consecutive fine rows: rates summed, levels and node health as the last value or the worst. */
function mergeRows(rows: Row[]): Row {
	const last = rows[rows.length - 1];
	const ns = new Map<string, NamespaceRow>();
	for (const row of rows) {
		for (const [name, r] of row.ns) {
			const merged = ns.get(name);
			if (!merged) {
				ns.set(name, { ...r, values: [...r.values], reasons: { ...r.reasons } });
				continue;
			}
			merged.websocket = r.websocket;
			merged.polling = r.polling;
			NS_FIELDS.forEach((f, j) => {
				merged.values[j] = LEVELS.has(f) ? r.values[j] : merged.values[j] + r.values[j];
			});
			for (const [reason, count] of Object.entries(r.reasons)) {
				merged.reasons[reason] = (merged.reasons[reason] ?? 0) + count;
			}
		}
	}
	let errors: Record<string, number> | undefined;
	for (const row of rows) {
		for (const [code, n] of Object.entries(row.errors ?? {})) {
			errors ??= {};
			errors[code] = (errors[code] ?? 0) + n;
		}
	}
	const node = last.node.map((v, j) =>
		// CPU, loop delay and RTT: the worst of the bucket, so a spike is not averaged away.
		j === 0 || j === 3 || j === 5 ? Math.max(...rows.map((r) => r.node[j])) : v
	);
	const merged: Row = errors ? { t: last.t, ns, node, errors } : { t: last.t, ns, node };
	// Room sizes are levels: the bucket keeps the last.
	if (last.rooms) merged.rooms = last.rooms;
	return merged;
}
