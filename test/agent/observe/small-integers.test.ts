/**
 * The figures the agent keeps per connection and per socket are integers below 2^31 (V8's small
 * integers, kept in place) long into a socket's life: one record holding a fraction or a larger
 * number would box that field in every record of its class, 16 B more per socket each.
 */
import { describe, expect, test } from 'vitest';
import { AckTotals } from '../../../server/agent/observe/collectors/ack-table.js';
import {
	ConnState,
	NamespaceStats,
	SocketState,
	msSincePing,
	pingClock
} from '../../../server/agent/observe/model.js';
import { startFixture, type Fixture } from '../../support/agent-fixture.js';

const WRAP = 2 ** 30;

/** Every number among `record`'s own fields is a small integer. */
function smallIntegers(record: object): boolean {
	const numbers = Object.values(record).filter((v) => typeof v === 'number');
	return numbers.length > 0 && numbers.every((v) => Number.isInteger(v) && Math.abs(v) < 2 ** 31);
}

describe('the heartbeat figures of a connection', () => {
	test('the ping clock reads small whole microseconds, which V8 keeps in place rather than boxed', () => {
		for (let i = 0; i < 100; i++) {
			const t = pingClock();
			expect(Number.isInteger(t)).toBe(true);
			expect(t).toBeGreaterThanOrEqual(0);
			expect(t).toBeLessThan(WRAP);
		}
	});

	test('the time since a ping is right on either side of the clock’s wrap', () => {
		const now = pingClock();
		// 5 ms ago, as read before the clock wrapped and as read after.
		for (const then of [(now - 5000 + WRAP) % WRAP, now - 5000 + WRAP]) {
			const ms = msSincePing(then);
			expect(ms).toBeGreaterThanOrEqual(5);
			expect(ms).toBeLessThan(1000);
		}
	});

	test('a connection keeps its round trip to a hundredth of a millisecond, as shown, in a whole number', () => {
		const conn = new ConnState('websocket');
		expect(conn.rtt).toBe(-1);
		expect(conn.pingAt).toBe(-1);
		conn.rtt = 12.3456;
		expect(conn.rtt).toBe(12.35);
		conn.rtt = 0.004;
		expect(conn.rtt).toBe(0);
		expect(smallIntegers(conn)).toBe(true);
	});
});

describe("a socket's acknowledgement figures", () => {
	test('latencies add up past 2^31 µs (36 minutes awaited) in small integers, and the mean is right to 0.01 ms', () => {
		const totals = new AckTotals();
		expect(totals.meanMs('in')).toBeNull();
		// 2,500 acks answered after about a second each: 2.5e9 µs in all.
		let micros = 0;
		for (let i = 0; i < 2500; i++) {
			const ms = 999.5 + i * 0.0013;
			totals.answered('in', ms);
			micros += Math.round(ms * 1000);
		}
		// And the other way, a few fast ones.
		for (const ms of [0.004, 0.31, 0.3149]) totals.answered('out', ms);
		expect(totals.inCount).toBe(2500);
		expect(micros).toBeGreaterThan(2 ** 31);
		expect(totals.meanMs('in')).toBe(Math.round(micros / 2500 / 10) / 100);
		expect(totals.meanMs('out')).toBe(0.21);
		expect(smallIntegers(totals)).toBe(true);
	});
});
