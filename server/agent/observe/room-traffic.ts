/**
 * Traffic per room: how many broadcasts each room of a namespace was sent and how many deliveries
 * they made on this node, known from the adapter's `broadcast` (seam.ts), which names its target
 * rooms. Room names are chosen by the host's clients as much as event names are, so the table is
 * bounded the same way and shares their rules: names cut to `MAX_EVENT_NAME` and copied out of
 * the packet, the byte budget of every namespace's names, and at most `max` rooms per namespace.
 * A room that does not fit is counted in `_other`; once an interval, if the table is full, rooms
 * with no broadcast since the last ranking leave it (their figures go to `_other`, so totals never
 * drop) and make room for new ones.
 *
 * A broadcast to several rooms counts once for each of them, with every delivery it made: a
 * socket in two of its rooms receives the packet once, and that delivery is counted under both.
 */
import { OTHER_EVENTS } from '../../protocol/limits.js';
import { truncateName } from '../../protocol/top-n.js';
import { MAX_EVENT_NAME, boundedName, type EventNameRules } from './event-names.js';

/** Broadcasts to one room and the deliveries they made, cumulative. */
export class RoomCounter {
	broadcasts = 0;
	deliveries = 0;
	/** Values at the previous sample, to compute the interval's figures. */
	lastBroadcasts = 0;
	lastDeliveries = 0;
	/** Per second over the last sample interval: what the Rooms page shows. */
	broadcastRate = 0;
	deliveryRate = 0;
	/** `broadcasts` at the last ranking: a room with none since may leave the table. */
	ranked = 0;

	constructor(readonly name: string) {}

	absorb(c: RoomCounter): void {
		this.broadcasts += c.broadcasts;
		this.deliveries += c.deliveries;
		this.lastBroadcasts += c.lastBroadcasts;
		this.lastDeliveries += c.lastDeliveries;
	}
}

export class RoomTraffic {
	readonly map = new Map<string, RoomCounter>();
	readonly other = new RoomCounter(OTHER_EVENTS);
	constructor(
		private readonly rules: Pick<EventNameRules, 'max' | 'budget'>,
		/** Private rooms (a socket's own id) are not rooms to count: `io.to(id)` is a message. */
		private readonly isSocket: (room: string) => boolean
	) {}

	/**
	 * One broadcast to `rooms` (none: the whole namespace, not counted here) that made `deliveries`
	 * on this node. O(1) per target room, and nothing allocated once the rooms are in the table.
	 */
	broadcast(rooms: ReadonlySet<string> | undefined, deliveries: number): void {
		if (rooms === undefined || rooms.size === 0) return;
		// `for…of`, not `forEach`: the loop and its body are compiled together, where `forEach` calls
		// a function per room.
		for (const room of rooms) {
			if (this.isSocket(room)) continue;
			const c = this.get(room);
			c.broadcasts++;
			c.deliveries += deliveries;
		}
	}

	get(room: string): RoomCounter {
		// Looked up by its cut form when new, so that every long name with the same start shares a line.
		return this.map.get(room) ?? this.add(truncateName(room, MAX_EVENT_NAME));
	}

	private add(room: string): RoomCounter {
		const found = this.map.get(room);
		if (found !== undefined) return found;
		const { budget, max } = this.rules;
		const bytes = room.length * 2;
		if (this.map.size >= max || budget.used + bytes > budget.max) return this.other;
		const counter = new RoomCounter(boundedName(room));
		budget.used += bytes;
		this.map.set(counter.name, counter);
		return counter;
	}

	/** Once an interval: when the table is full, rooms sent nothing since the last ranking leave it. */
	rank(): void {
		const full = this.map.size >= this.rules.max;
		// A Map may lose entries while it is iterated: no copy of it, once a second per namespace.
		for (const c of this.map.values()) {
			if (full && c.broadcasts === c.ranked) {
				this.remove(c);
				this.other.absorb(c);
			} else c.ranked = c.broadcasts;
		}
	}

	/** Gives the budget back when the namespace is forgotten. */
	clear(): void {
		for (const c of [...this.map.values()]) this.remove(c);
	}

	private remove(c: RoomCounter): void {
		this.map.delete(c.name);
		this.rules.budget.used -= c.name.length * 2;
	}

	/**
	 * Once a sample interval: each room's rates over it, for the Rooms page. Not in the sample
	 * itself: no page reads a top list of them there, and with four namespaces it was an eighth
	 * of every sample a dashboard receives.
	 */
	tick(intervalMs: number): void {
		const perSecond = intervalMs > 0 ? 1000 / intervalMs : 0;
		for (const c of this.map.values()) markRates(c, perSecond);
		markRates(this.other, perSecond);
	}

	/** A room's broadcasts and deliveries per second over the last sample interval, if counted. */
	rates(room: string): { broadcasts: number; deliveries: number } | undefined {
		const c = this.map.get(truncateName(room, MAX_EVENT_NAME));
		return c && { broadcasts: c.broadcastRate, deliveries: c.deliveryRate };
	}
}

function markRates(c: RoomCounter, perSecond: number): void {
	c.broadcastRate = (c.broadcasts - c.lastBroadcasts) * perSecond;
	c.deliveryRate = (c.deliveries - c.lastDeliveries) * perSecond;
	c.lastBroadcasts = c.broadcasts;
	c.lastDeliveries = c.deliveries;
}
