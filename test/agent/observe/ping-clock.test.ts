import { describe, expect, test } from 'vitest';
import { ConnState, msSincePing, pingClock } from '../../../server/agent/observe/model.js';

const WRAP = 2 ** 30;

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
		const fields = Object.values(conn).filter((v) => typeof v === 'number');
		expect(fields.every(Number.isInteger)).toBe(true);
	});
});
