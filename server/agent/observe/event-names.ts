/**
 * The event names a namespace counts on their own line: any client can invent names, so the
 * table is bounded three ways. Each name is cut to `MAX_EVENT_NAME` characters and copied out of
 * the packet it came in (a slice would keep the whole packet alive); the names of every namespace
 * share one byte budget; and a namespace holds at most `max` names.
 *
 * When the table is full, a new name takes the place of a cold one instead of going to `_other`
 * for good (first come, first served would let 200 junk names sent once push every later real
 * event into `_other` forever). Once a sample interval each name's score decays by half and adds
 * its traffic since; the coldest names become the candidates a new name may evict, and no more
 * than half the table may be evicted per interval, so the busiest names keep their lines under a
 * stream of invented ones. An evicted name's figures, its acknowledgements' included, are added
 * to `_other`, so totals never drop.
 * With an allowlist, only its names are counted apart.
 */
import { OTHER_EVENTS } from '../../protocol/limits.js';
import { truncateName } from '../../protocol/top-n.js';
import { AckSide } from './collectors/ack-side.js';

/** Longest event name counted, shown or labelled; longer names are cut and end with `…`. */
export const MAX_EVENT_NAME = 128;

/** Traffic of one event name in one namespace, cumulative. */
export class EventCounter {
	in = 0;
	out = 0;
	bytesIn = 0;
	bytesOut = 0;
	/** Values at the previous sample, to compute the interval's figures. */
	lastIn = 0;
	lastOut = 0;
	/** Recent traffic, halved every interval: what keeps a name in the table. */
	score = 0;
	/** `in + out` when the score was last updated. */
	scored = 0;
	/** False once evicted: a holder of this counter must look the name up again. */
	live = true;
	/** Acknowledgement figures by direction, made on the first acked event of this name. */
	ackIn: AckSide | null = null;
	ackOut: AckSide | null = null;
	/** Once evicted, the counter its figures went to (`_other`): acks still awaited land there. */
	foldedInto: EventCounter | null = null;

	constructor(readonly name: string) {}

	/** Adds another counter's figures, interval marks included, so no traffic is lost or counted twice. */
	absorb(c: EventCounter): void {
		this.in += c.in;
		this.out += c.out;
		this.bytesIn += c.bytesIn;
		this.bytesOut += c.bytesOut;
		this.lastIn += c.lastIn;
		this.lastOut += c.lastOut;
		if (c.ackIn !== null) (this.ackIn ??= new AckSide(c.ackIn.bounds)).absorb(c.ackIn);
		if (c.ackOut !== null) (this.ackOut ??= new AckSide(c.ackOut.bounds)).absorb(c.ackOut);
		c.foldedInto = this;
	}
}

/** Bytes of event names held by every namespace of the agent together. */
export interface NameBudget {
	used: number;
	readonly max: number;
}

export interface EventNameRules {
	/** Names counted apart per namespace. */
	max: number;
	budget: NameBudget;
	/** When given, only these names are counted apart. */
	allow?: ReadonlySet<string>;
}

/** A name as it may be stored: cut to `MAX_EVENT_NAME`, as a string of its own. */
export function boundedName(name: string): string {
	const cut = truncateName(name, MAX_EVENT_NAME);
	// A flat copy: a slice of a megabyte packet would otherwise keep the packet alive.
	return Buffer.from(cut, 'utf8').toString('utf8');
}

export class EventNames {
	readonly map = new Map<string, EventCounter>();
	readonly other = new EventCounter(OTHER_EVENTS);
	/** The coldest counters at the last ranking, coldest last: those a new name may replace. */
	private evictable: EventCounter[] = [];

	constructor(private readonly rules: EventNameRules) {}

	/** The counter of a name, making room for it when it is new; `_other` when there is none. */
	get(name: string): EventCounter {
		const found = this.map.get(name);
		if (found !== undefined) return found;
		return this.add(name);
	}

	private add(name: string): EventCounter {
		const { allow, budget, max } = this.rules;
		if (name.length > MAX_EVENT_NAME) {
			// Looked up by its cut form, so that every long name with the same start shares a line.
			name = truncateName(name, MAX_EVENT_NAME);
			const found = this.map.get(name);
			if (found !== undefined) return found;
		}
		if (allow !== undefined && !allow.has(name)) return this.other;
		if (this.map.size >= max && !this.evictOne()) return this.other;
		const bytes = name.length * 2;
		if (budget.used + bytes > budget.max) return this.other;
		const counter = new EventCounter(boundedName(name));
		budget.used += bytes;
		this.map.set(counter.name, counter);
		return counter;
	}

	private evictOne(): boolean {
		const victim = this.evictable.pop();
		if (victim === undefined) return false;
		this.remove(victim);
		this.other.absorb(victim);
		return true;
	}

	private remove(counter: EventCounter): void {
		counter.live = false;
		this.map.delete(counter.name);
		this.rules.budget.used -= counter.name.length * 2;
	}

	/** Once an interval: decays every score and picks the names a new one may replace. */
	rank(): void {
		for (const c of this.map.values()) {
			const total = c.in + c.out;
			c.score = c.score / 2 + (total - c.scored);
			c.scored = total;
		}
		// Below the cap nothing is evicted: no list to make, once a second in every namespace.
		if (this.map.size < this.rules.max) {
			if (this.evictable.length) this.evictable = [];
			return;
		}
		const counters = [...this.map.values()];
		counters.sort((a, b) => b.score - a.score);
		this.evictable = counters.slice(Math.ceil(counters.length / 2));
	}

	/** Every counter, with `_other` once it has been used. */
	*counters(): Iterable<EventCounter> {
		yield* this.map.values();
		if (this.other.in || this.other.out) yield this.other;
	}

	/** Gives the budget back when the namespace is forgotten. */
	clear(): void {
		for (const counter of [...this.map.values()]) this.remove(counter);
		this.evictable = [];
	}
}
