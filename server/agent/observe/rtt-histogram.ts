/**
 * A fixed-bucket histogram of millisecond values, for percentiles without keeping every value.
 * Buckets grow by about 10% each, from 0.1 ms to about 60 s: adding, removing and reading are O(1)
 * in the number of values, and memory never grows.
 */
import type { Percentiles } from '../../protocol/models.js';

const GROWTH = 1.1;
const MIN = 0.1;
const BUCKETS = Math.ceil(Math.log(60_000 / MIN) / Math.log(GROWTH)) + 1;
const LOG_GROWTH = Math.log(GROWTH);

function bucketOf(ms: number): number {
	if (ms <= MIN) return 0;
	const i = Math.floor(Math.log(ms / MIN) / LOG_GROWTH) + 1;
	return i < BUCKETS ? i : BUCKETS - 1;
}

/** The upper bound of each bucket, the value its members are reported as. */
const UPPER_BOUNDS = Float64Array.from({ length: BUCKETS }, (_, i) =>
	i === 0 ? MIN : MIN * GROWTH ** i
);
/** The same, rounded as reported: a power each time was most of the time a percentile took. */
const REPORTED = UPPER_BOUNDS.map(round);

export class Histogram {
	private readonly counts = new Uint32Array(BUCKETS);
	private total = 0;
	private maxValue = 0;
	/**
	 * No value lies outside these buckets: percentiles start at the lowest rather than at 0.1 ms,
	 * and a reset clears only what lies between (an ack histogram is reset every second, in every
	 * namespace with acknowledgements, and its values fill a few of its 142 buckets).
	 */
	private lowest = BUCKETS;
	private highest = -1;

	add(ms: number): void {
		const i = bucketOf(ms);
		this.counts[i]++;
		this.total++;
		if (i < this.lowest) this.lowest = i;
		if (i > this.highest) this.highest = i;
		if (ms > this.maxValue) this.maxValue = ms;
	}

	/** Removes a value added earlier (a socket's previous RTT, or a socket that left). */
	remove(ms: number): void {
		const i = bucketOf(ms);
		if (this.counts[i] === 0) return;
		this.counts[i]--;
		this.total--;
	}

	get count(): number {
		return this.total;
	}

	/** Adds every value of another histogram (the figures of an evicted event name). */
	addAll(other: Histogram): void {
		for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
		this.total += other.total;
		if (other.maxValue > this.maxValue) this.maxValue = other.maxValue;
		if (other.lowest < this.lowest) this.lowest = other.lowest;
		if (other.highest > this.highest) this.highest = other.highest;
	}

	/**
	 * Read once a second for every event name with acknowledgements, in every namespace: one pass
	 * from the lowest bucket used, and nothing allocated but the answer.
	 */
	percentiles(): Percentiles {
		const total = this.total;
		if (total === 0) return { p50: 0, p90: 0, p99: 0, max: 0, count: 0 };
		const t50 = Math.max(1, Math.ceil(0.5 * total));
		const t90 = Math.max(1, Math.ceil(0.9 * total));
		const t99 = Math.max(1, Math.ceil(0.99 * total));
		const counts = this.counts;
		let p50 = 0;
		let p90 = 0;
		let seen = 0;
		let i = this.lowest;
		for (; i < BUCKETS; i++) {
			const n = counts[i];
			if (n === 0) continue;
			const before = seen;
			seen += n;
			if (before < t50 && seen >= t50) p50 = REPORTED[i];
			if (before < t90 && seen >= t90) p90 = REPORTED[i];
			if (seen >= t99) break;
		}
		// The bucket of the 99th percentile is the last one read: the largest value is reported no
		// higher than its bound.
		return {
			p50,
			p90,
			p99: REPORTED[i],
			max: round(Math.min(this.maxValue, UPPER_BOUNDS[i])),
			count: total
		};
	}

	reset(): void {
		if (this.highest >= this.lowest) this.counts.fill(0, this.lowest, this.highest + 1);
		this.total = 0;
		this.maxValue = 0;
		this.lowest = BUCKETS;
		this.highest = -1;
	}
}

function round(ms: number): number {
	return Math.round(ms * 100) / 100;
}
