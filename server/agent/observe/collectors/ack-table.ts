/**
 * What the agent keeps of one socket's acknowledgements, sized for apps where every socket uses
 * them. Its figures since it connected (`AckTotals`, a few integers) are made on its first acked
 * event and kept with its record. The slots of the acks awaited now (`AckSlots`) are lent from a
 * pool while any is awaited and given back when the last is answered or given up: with the usual
 * request and response, a socket holds slots for the few milliseconds an ack takes, so what the
 * agent holds for acks grows with the acks in flight, not with the sockets that ever used one.
 */
import type { AckDirection } from '../../../protocol/models.js';
import type { EventCounter } from '../event-names.js';

/** Acknowledgements awaited per socket; when all are taken, the oldest is given up. */
export const ACKS_PER_SOCKET = 8;

/**
 * A socket's acks since it connected, by direction. Integers, which V8 keeps in place: a field of a
 * class that ever holds a fraction or a number past 2^31 is boxed from then on, in every object of
 * that class (16 B more per socket and field). So latencies are added up in hundredths of a
 * millisecond, the resolution the mean is shown at: a sum in microseconds passed 2^31 after 36
 * minutes of awaited acks on any one socket; in hundredths it takes six hours.
 */
export class AckTotals {
	inCount = 0;
	inTimeouts = 0;
	/** Latencies added up, in hundredths of a millisecond. */
	inHundredths = 0;
	outCount = 0;
	outTimeouts = 0;
	outHundredths = 0;
	/** The acks awaited now, while there are any. */
	slots: AckSlots | null = null;

	/** One ack answered `ms` after its event went `direction`. */
	answered(direction: AckDirection, ms: number): void {
		const hundredths = Math.round(ms * 100);
		if (direction === 'in') {
			this.inCount++;
			this.inHundredths += hundredths;
		} else {
			this.outCount++;
			this.outHundredths += hundredths;
		}
	}

	/** The mean latency of `direction`'s answered acks, to a hundredth of a millisecond; null before any. */
	meanMs(direction: AckDirection): number | null {
		const count = direction === 'in' ? this.inCount : this.outCount;
		const sum = direction === 'in' ? this.inHundredths : this.outHundredths;
		return count === 0 ? null : Math.round(sum / count) / 100;
	}
}

/** The acks one socket awaits now, in a few fixed slots. */
export class AckSlots {
	/** Per slot: the ack id, negated minus one for `out`; and when it was sent (0: free slot). */
	readonly keys = new Float64Array(ACKS_PER_SOCKET);
	readonly times = new Float64Array(ACKS_PER_SOCKET);
	readonly counters: (EventCounter | null)[] = new Array(ACKS_PER_SOCKET).fill(null);
	size = 0;
	/** Whose slots these are while lent; null in the pool. */
	owner: AckTotals | null = null;
	/** Where these slots are in the tracker's list of slots awaiting acks; -1 when not there. */
	index = -1;
}
