/**
 * Acknowledgement latency and timeouts per event name, read at the wire. An event packet with an
 * ack id (`21["send","hi"]`) opens a slot in its socket's small table; the ack packet with the
 * same id going the other way (`31[…]`) closes it, and the time between lands in the event's
 * histogram. `in`: a client's event answered by the server's handler; `out`: a server emit
 * (`emitWithAck`, `timeout().emit`) answered by the client.
 *
 * Nothing is allocated for packets without an id. A socket's figures are made on its first acked
 * event; its `ACKS_PER_SOCKET` slots are lent from a pool while it awaits acks (ack-table.ts), and
 * a lookup scans them, so it costs the same whatever the number of sockets. Acks still awaited after `timeout` are counted as timeouts once per sample,
 * including those of a socket that left meanwhile: its acks will never come either.
 */
import { performance } from 'node:perf_hooks';
import { SAMPLE_TOP_ACKS } from '../../../protocol/limits.js';
import type { AckDirection, AckFigures, SocketAckFigures } from '../../../protocol/models.js';
import type { EventCounter } from '../event-names.js';
import { AckSide } from './ack-side.js';
import { ACKS_PER_SOCKET, AckSlots, AckTotals } from './ack-table.js';
import type { NamespaceStats, SocketState } from '../model.js';
import { keepTop, truncateName, type Scored } from '../../../protocol/top-n.js';

/**
 * The side an ack lands in. An ack awaited when its event's name was evicted from the table lands
 * in `_other`, where that name's figures went.
 */
export function sideOf(counter: EventCounter, direction: AckDirection, bounds: Float64Array): AckSide {
	if (counter.foldedInto !== null) counter = counter.foldedInto;
	if (direction === 'in') return (counter.ackIn ??= new AckSide(bounds));
	return (counter.ackOut ??= new AckSide(bounds));
}

/**
 * Told of every ack answered, after its side counted it: the OpenTelemetry exporter's histogram.
 * `counter` is the one the ack landed in (`_other` once its name was evicted).
 */
export type AckListener = (
	stats: NamespaceStats,
	counter: EventCounter,
	direction: AckDirection,
	side: AckSide,
	ms: number
) => void;

/** Slots kept for reuse once given back: enough for the acks of a burst, bounded whatever follows. */
const POOL = 1024;

export class AckTracker {
	/** Slots with acks awaited: the only ones the sweep visits. */
	private readonly waiting: AckSlots[] = [];
	/** Slots given back, lent again before any is made. */
	private readonly pool: AckSlots[] = [];

	/** The latency buckets' bounds in seconds, one array for every side (`metrics.buckets`). */
	private readonly bounds: Float64Array;

	constructor(
		/** Milliseconds after which an awaited ack counts as a timeout. */
		readonly timeout: number,
		bounds: readonly number[],
		/** Absent unless an exporter records acks as they come (OpenTelemetry). */
		private readonly listener?: AckListener
	) {
		this.bounds = Float64Array.from(bounds);
	}

	/** An event packet with ack id `id` went `direction` for socket `s`. */
	sent(s: SocketState, counter: EventCounter, direction: AckDirection, id: number): void {
		const totals = (s.acks ??= new AckTotals());
		const slots = totals.slots ?? this.lend(totals);
		const now = performance.now();
		let slot = 0;
		while (slot < ACKS_PER_SOCKET && slots.times[slot] !== 0) slot++;
		if (slot === ACKS_PER_SOCKET) {
			slot = oldestSlot(slots);
			this.giveUp(slots, slot, now);
		}
		slots.keys[slot] = direction === 'in' ? id : -1 - id;
		slots.times[slot] = now;
		slots.counters[slot] = counter;
		slots.size++;
	}

	/** An ack packet with id `id` went `direction`: it answers the event that went the other way. */
	answered(s: SocketState, direction: AckDirection, id: number): void {
		const slots = s.acks?.slots;
		if (!slots) return;
		const key = direction === 'out' ? id : -1 - id;
		for (let slot = 0; slot < ACKS_PER_SOCKET; slot++) {
			if (slots.keys[slot] !== key || slots.times[slot] === 0) continue;
			const ms = performance.now() - slots.times[slot];
			const asked: AckDirection = direction === 'out' ? 'in' : 'out';
			let counter = slots.counters[slot]!;
			if (counter.foldedInto !== null) counter = counter.foldedInto;
			const side = sideOf(counter, asked, this.bounds);
			side.observe(ms);
			this.listener?.(s.stats, counter, asked, side, ms);
			slots.owner!.answered(asked, ms);
			free(slots, slot);
			if (slots.size === 0) this.giveBack(slots);
			return;
		}
	}

	/** Once per sample: acks awaited longer than the timeout become timeouts and are forgotten. */
	sweep(now = performance.now()): void {
		const waiting = this.waiting;
		for (let i = waiting.length - 1; i >= 0; i--) {
			const slots = waiting[i];
			for (let slot = 0; slot < ACKS_PER_SOCKET; slot++) {
				if (slots.times[slot] !== 0 && now - slots.times[slot] >= this.timeout) {
					this.giveUp(slots, slot, now);
				}
			}
			if (slots.size === 0) this.giveBack(slots);
		}
	}

	/** Slots with acks awaited, for `inspect()`. */
	get size(): number {
		return this.waiting.length;
	}

	private lend(totals: AckTotals): AckSlots {
		const slots = this.pool.pop() ?? new AckSlots();
		slots.owner = totals;
		totals.slots = slots;
		slots.index = this.waiting.length;
		this.waiting.push(slots);
		return slots;
	}

	/** Takes back slots with no ack awaited: out of the sweep's list, and into the pool. */
	private giveBack(slots: AckSlots): void {
		const last = this.waiting.pop()!;
		if (last !== slots) {
			this.waiting[slots.index] = last;
			last.index = slots.index;
		}
		slots.index = -1;
		slots.owner!.slots = null;
		slots.owner = null;
		if (this.pool.length < POOL) this.pool.push(slots);
	}

	/**
	 * Frees a slot before its ack came: a timeout if it waited long enough, otherwise (the slots
	 * were all taken) it is simply no longer timed.
	 */
	private giveUp(slots: AckSlots, slot: number, now: number): void {
		if (now - slots.times[slot] >= this.timeout) {
			const direction: AckDirection = slots.keys[slot] >= 0 ? 'in' : 'out';
			const side = sideOf(slots.counters[slot]!, direction, this.bounds);
			side.timeouts++;
			side.intervalTimeouts++;
			if (direction === 'in') slots.owner!.inTimeouts++;
			else slots.owner!.outTimeouts++;
		}
		free(slots, slot);
	}
}

function free(slots: AckSlots, slot: number): void {
	slots.times[slot] = 0;
	slots.counters[slot] = null;
	slots.size--;
}

function oldestSlot(slots: AckSlots): number {
	let oldest = 0;
	for (let slot = 1; slot < ACKS_PER_SOCKET; slot++) {
		if (slots.times[slot] < slots.times[oldest]) oldest = slot;
	}
	return oldest;
}

/**
 * Ranks one event name's acknowledgements of the interval into `top` (the most answered first,
 * at most `SAMPLE_TOP_ACKS`) and resets its interval: the sampler calls it for each name of a
 * namespace in the same pass as it ranks the events.
 */
export function rankAcks(top: Scored<AckFigures>[], counter: EventCounter): void {
	if (counter.ackIn !== null) rankSide(top, counter.name, 'in', counter.ackIn);
	if (counter.ackOut !== null) rankSide(top, counter.name, 'out', counter.ackOut);
}

function rankSide(
	top: Scored<AckFigures>[],
	name: string,
	direction: AckDirection,
	side: AckSide
): void {
	if (side.interval.count === 0 && side.intervalTimeouts === 0) return;
	const { p50, p99, max, count } = side.interval.percentiles();
	// Percentiles are bucket bounds, up to 10% above the values: never above the largest.
	const timeouts = side.intervalTimeouts;
	const figures: AckFigures = {
		name: truncateName(name),
		direction,
		count,
		p50: Math.min(p50, max),
		p99: Math.min(p99, max)
	};
	if (timeouts > 0) figures.timeouts = timeouts;
	if (max !== figures.p99) figures.max = max;
	side.interval.reset();
	side.intervalTimeouts = 0;
	keepTop(top, figures, count + timeouts, SAMPLE_TOP_ACKS);
}

/** One socket's acks for its details. */
export function socketAcks(
	s: SocketState
): { in: SocketAckFigures; out: SocketAckFigures; pending: number } | undefined {
	const totals = s.acks;
	if (totals === null) return undefined;
	return {
		in: { count: totals.inCount, timeouts: totals.inTimeouts, meanMs: totals.meanMs('in') },
		out: { count: totals.outCount, timeouts: totals.outTimeouts, meanMs: totals.meanMs('out') },
		pending: totals.slots?.size ?? 0
	};
}
