/**
 * Acknowledgement latency and timeouts per event name, read at the wire. An event packet with an
 * ack id (`21["send","hi"]`) opens a slot in its socket's small table; the ack packet with the
 * same id going the other way (`31[…]`) closes it, and the time between lands in the event's
 * histogram. `in`: a client's event answered by the server's handler; `out`: a server emit
 * (`emitWithAck`, `timeout().emit`) answered by the client.
 *
 * Nothing is allocated for packets without an id. A socket's table is made on its first acked
 * event and holds `ACKS_PER_SOCKET` slots; a lookup scans them, so it costs the same whatever the
 * number of sockets. Acks still awaited after `timeout` are counted as timeouts once per sample,
 * including those of a socket that left meanwhile: its acks will never come either.
 */
import { performance } from 'node:perf_hooks';
import { SAMPLE_TOP_ACKS } from '../../../protocol/limits.js';
import type { AckDirection, AckFigures, SocketAckFigures } from '../../../protocol/models.js';
import type { EventCounter } from '../event-names.js';
import { AckSide } from './ack-side.js';
import { ACKS_PER_SOCKET, AckTable } from './ack-table.js';
import type { NamespaceStats, SocketState } from '../model.js';
import { keepTop, truncateName, type Scored } from '../../../protocol/top-n.js';

/**
 * The side an ack lands in. An ack awaited when its event's name was evicted from the table lands
 * in `_other`, where that name's figures went.
 */
export function sideOf(counter: EventCounter, direction: AckDirection): AckSide {
	if (counter.foldedInto !== null) counter = counter.foldedInto;
	if (direction === 'in') return (counter.ackIn ??= new AckSide());
	return (counter.ackOut ??= new AckSide());
}

export class AckTracker {
	/** Tables with acks awaited: the only ones the sweep visits. */
	private readonly waiting: AckTable[] = [];

	constructor(
		/** Milliseconds after which an awaited ack counts as a timeout. */
		readonly timeout: number
	) {}

	/** An event packet with ack id `id` went `direction` for socket `s`. */
	sent(s: SocketState, counter: EventCounter, direction: AckDirection, id: number): void {
		const table = (s.acks ??= new AckTable());
		const now = performance.now();
		let slot = 0;
		while (slot < ACKS_PER_SOCKET && table.times[slot] !== 0) slot++;
		if (slot === ACKS_PER_SOCKET) {
			slot = oldestSlot(table);
			this.giveUp(table, slot, now);
		}
		table.keys[slot] = direction === 'in' ? id : -1 - id;
		table.times[slot] = now;
		table.counters[slot] = counter;
		table.size++;
		if (!table.listed) {
			table.listed = true;
			this.waiting.push(table);
		}
	}

	/** An ack packet with id `id` went `direction`: it answers the event that went the other way. */
	answered(s: SocketState, direction: AckDirection, id: number): void {
		const table = s.acks;
		if (table === null || table.size === 0) return;
		const key = direction === 'out' ? id : -1 - id;
		for (let slot = 0; slot < ACKS_PER_SOCKET; slot++) {
			if (table.keys[slot] !== key || table.times[slot] === 0) continue;
			const ms = performance.now() - table.times[slot];
			const asked: AckDirection = direction === 'out' ? 'in' : 'out';
			sideOf(table.counters[slot]!, asked).observe(ms);
			const own = table[asked];
			own.count++;
			own.sumMs += ms;
			free(table, slot);
			return;
		}
	}

	/** Once per sample: acks awaited longer than the timeout become timeouts and are forgotten. */
	sweep(now = performance.now()): void {
		const waiting = this.waiting;
		for (let i = waiting.length - 1; i >= 0; i--) {
			const table = waiting[i];
			for (let slot = 0; slot < ACKS_PER_SOCKET; slot++) {
				if (table.times[slot] !== 0 && now - table.times[slot] >= this.timeout) {
					this.giveUp(table, slot, now);
				}
			}
			if (table.size === 0) {
				table.listed = false;
				waiting[i] = waiting[waiting.length - 1];
				waiting.pop();
			}
		}
	}

	/** Tables with acks awaited, for `inspect()`. */
	get size(): number {
		return this.waiting.length;
	}

	/**
	 * Frees a slot before its ack came: a timeout if it waited long enough, otherwise (the table was
	 * full) it is simply no longer timed.
	 */
	private giveUp(table: AckTable, slot: number, now: number): void {
		if (now - table.times[slot] >= this.timeout) {
			const direction: AckDirection = table.keys[slot] >= 0 ? 'in' : 'out';
			const side = sideOf(table.counters[slot]!, direction);
			side.timeouts++;
			side.intervalTimeouts++;
			table[direction].timeouts++;
		}
		free(table, slot);
	}
}

function free(table: AckTable, slot: number): void {
	table.times[slot] = 0;
	table.counters[slot] = null;
	table.size--;
}

function oldestSlot(table: AckTable): number {
	let oldest = 0;
	for (let slot = 1; slot < ACKS_PER_SOCKET; slot++) {
		if (table.times[slot] < table.times[oldest]) oldest = slot;
	}
	return oldest;
}

/** A namespace's acknowledged events of the interval, the most answered first; resets the interval. */
export function ackFigures(stats: NamespaceStats): AckFigures[] {
	const top: Scored<AckFigures>[] = [];
	for (const counter of stats.eventCounters()) {
		for (const direction of ['in', 'out'] as const) {
			const side = direction === 'in' ? counter.ackIn : counter.ackOut;
			if (!side || (side.interval.count === 0 && side.intervalTimeouts === 0)) continue;
			const { p50, p99, max, count } = side.interval.percentiles();
			// Percentiles are bucket bounds, up to 10% above the values: never above the largest.
			const timeouts = side.intervalTimeouts;
			const figures: AckFigures = {
				name: truncateName(counter.name),
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
	}
	return top.map((t) => t.item);
}

/** One socket's acks for its details. */
export function socketAcks(
	s: SocketState
): { in: SocketAckFigures; out: SocketAckFigures; pending: number } | undefined {
	const table = s.acks;
	if (table === null) return undefined;
	const figures = (f: AckTable['in']): SocketAckFigures => ({
		count: f.count,
		timeouts: f.timeouts,
		meanMs: f.count ? Math.round((f.sumMs / f.count) * 100) / 100 : null
	});
	return { in: figures(table.in), out: figures(table.out), pending: table.size };
}
