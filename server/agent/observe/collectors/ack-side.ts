/**
 * One event name's acknowledgement figures in one direction, kept on its `EventCounter`: the
 * current sample interval's latencies and cumulative figures for Prometheus. On its own so that
 * the name table can hold it without depending on the collectors that fill it.
 */
import { Histogram } from '../rtt-histogram.js';

/** Upper bounds of the Prometheus histogram, in seconds. */
export const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** One event name's acknowledgements in one direction: for the sample, and cumulative for Prometheus. */
export class AckSide {
	/** Latencies of the current sample interval. */
	readonly interval = new Histogram();
	intervalTimeouts = 0;
	count = 0;
	timeouts = 0;
	sumSeconds = 0;
	/** Acks per Prometheus bucket (not cumulative: summed when rendered), the last for +Inf. */
	readonly buckets = new Float64Array(ACK_BUCKETS.length + 1);

	observe(ms: number): void {
		this.interval.add(ms);
		this.count++;
		const seconds = ms / 1000;
		this.sumSeconds += seconds;
		let i = 0;
		while (i < ACK_BUCKETS.length && seconds > ACK_BUCKETS[i]) i++;
		this.buckets[i]++;
	}

	/** Adds another side's figures, the interval's included: an evicted name's, into `_other`. */
	absorb(other: AckSide): void {
		this.interval.addAll(other.interval);
		this.intervalTimeouts += other.intervalTimeouts;
		this.count += other.count;
		this.timeouts += other.timeouts;
		this.sumSeconds += other.sumSeconds;
		for (let i = 0; i < this.buckets.length; i++) this.buckets[i] += other.buckets[i];
	}
}
