/**
 * Node health in the samples: a host that blocks its own event loop sees the block in the loop
 * delay a dashboard receives, even with the agent's cheap, coarse delay timer.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Sample } from '../../../server/protocol/models.js';
import { startFixture, type Fixture } from '../../support/agent-fixture.js';

let fx: Fixture;
beforeAll(async () => {
	fx = await startFixture();
});
afterAll(() => fx.close());

function blockLoop(ms: number): void {
	const until = performance.now() + ms;
	while (performance.now() < until) {
		// The host's code hogging the loop: no timer can fire meanwhile.
	}
}

test('a 300 ms block of the host’s event loop shows in the next samples’ loop delay', async () => {
	const { socket } = await fx.dashboard();
	const samples: Sample[] = [];
	socket.on('stats:sample', (s: Sample) => samples.push(s));
	await new Promise((resolve) => socket.once('stats:sample', resolve));
	const before = samples.length;
	blockLoop(300);
	await new Promise((resolve) => setTimeout(resolve, 700));
	const after = samples.slice(before);
	expect(after.length).toBeGreaterThan(0);
	// The timer tick due during the block fires when it ends: at least 300 ms minus one 50 ms period
	// late, less a millisecond or two of timer rounding.
	const worst = Math.max(...after.map((s) => s.process.loopDelay.max));
	expect(worst).toBeGreaterThanOrEqual(245);
	expect(worst).toBeLessThan(5000);
	expect(Math.max(...after.map((s) => s.process.elu))).toBeGreaterThan(0.2);
});
