/**
 * One event name's acknowledgement figures in one direction, kept on its `EventCounter`: the
 * current sample interval's latencies and cumulative figures for Prometheus. On its own so that
 * the name table can hold it without depending on the collectors that fill it.
 */
import { Histogram } from '../rtt-histogram.js';

/** One event name's acknowledgements in one direction: for the sample, and cumulative for Prometheus. */
export class AckSide {
	/** Latencies of the current sample interval. */
	readonly interval = new Histogram();
	intervalTimeouts = 0;
	count = 0;
	timeouts = 0;
	sumSeconds = 0;
	/** Acks per Prometheus bucket (not cumulative: summed when rendered), the last for +Inf. */
	readonly buckets: Float64Array;
	/**
	 * The OpenTelemetry attributes of this side, made by that exporter on its first ack and kept,
	 * so that recording an ack allocates nothing of the agent's (see metrics/otel.ts).
	 */
	otelAttributes: Readonly<Record<string, string>> | null = null;

	constructor(
		/**
		 * The buckets' upper bounds in seconds (`metrics.buckets.ackLatency`), shared by every side
		 * of the agent: one array, never copied per side.
		 */
		readonly bounds: Float64Array
	) {
		this.buckets = new Float64Array(bounds.length + 1);
	}

	observe(ms: number): void {
		this.interval.add(ms);
		this.count++;
		const seconds = ms / 1000;
		this.sumSeconds += seconds;
		// At most MAX_BUCKETS (30) bounds, most acks in the first dozen: a linear scan is as fast as
		// a binary search here, and allocates nothing. `le` is inclusive, as in Prometheus.
		const bounds = this.bounds;
		let i = 0;
		while (i < bounds.length && seconds > bounds[i]) i++;
		this.buckets[i]++;
	}

	/** Adds another side's figures, the interval's included: an evicted name's, into `_other`. */
	absorb(other: AckSide): void {
		this.interval.addAll(other.interval);
		this.intervalTimeouts += other.intervalTimeouts;
		this.count += other.count;
		this.timeouts += other.timeouts;
		this.sumSeconds += other.sumSeconds;
		// Both sides have the agent's bounds, so the buckets line up one for one.
		for (let i = 0; i < this.buckets.length; i++) this.buckets[i] += other.buckets[i];
	}
}
