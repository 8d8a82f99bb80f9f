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

/** The upper bound of bucket `i`, the value its members are reported as. */
function upperBound(i: number): number {
	return i === 0 ? MIN : MIN * GROWTH ** i;
}

export class Histogram {
	private readonly counts = new Uint32Array(BUCKETS);
	private total = 0;
	private maxValue = 0;

	add(ms: number): void {
		this.counts[bucketOf(ms)]++;
		this.total++;
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
	}

	percentiles(): Percentiles {
		if (this.total === 0) return { p50: 0, p90: 0, p99: 0, max: 0, count: 0 };
		const targets = [0.5, 0.9, 0.99].map((q) => Math.max(1, Math.ceil(q * this.total)));
		const found: number[] = [];
		let seen = 0;
		let last = 0;
		for (let i = 0; i < BUCKETS && found.length < targets.length; i++) {
			if (this.counts[i] === 0) continue;
			seen += this.counts[i];
			last = i;
			while (found.length < targets.length && seen >= targets[found.length]) {
				found.push(round(upperBound(i)));
			}
		}
		return {
			p50: found[0],
			p90: found[1],
			p99: found[2],
			max: round(Math.min(this.maxValue, upperBound(last))),
			count: this.total
		};
	}

	reset(): void {
		this.counts.fill(0);
		this.total = 0;
		this.maxValue = 0;
	}
}

function round(ms: number): number {
	return Math.round(ms * 100) / 100;
}
