/**
 * The demo exercises what the agent alone shows: acknowledgements both ways (the chat's send, the
 * server's presence checks that some bots answer slowly or never) and a client that keeps failing
 * its handshake.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBots, type Bots } from '../../server/demo/bots.js';
import type { Sample } from '../../server/protocol/models.js';
import { startDemo, type DemoFixture } from '../support/demo-fixture.js';

describe('demo traffic for acknowledgements and failed connections', () => {
	let demo: DemoFixture;
	let bots: Bots;
	const samples: Sample[] = [];

	beforeAll(async () => {
		demo = await startDemo({ instrument: { auth: false, sampleInterval: 250, ackTimeout: 4000 } });
		bots = startBots({
			url: demo.server.url,
			count: 24,
			rate: 120,
			failingEvery: 1,
			namespaces: ['/']
		});
		const tick = setInterval(() => {
			const s = demo.server.agent?.latestSample();
			if (s && s.t !== samples.at(-1)?.t) samples.push(s);
		}, 100);
		tick.unref();
	});

	afterAll(async () => {
		await bots?.stop();
		await demo?.close();
	});

	const acks = (event: string, direction: 'in' | 'out') =>
		samples
			.flatMap((s) => s.namespaces.filter((n) => n.name === '/').flatMap((n) => n.acks ?? []))
			.filter((a) => a.name === event && a.direction === direction);

	test("the chat's send is acknowledged by the server", async () => {
		await expect
			.poll(() => acks('message:send', 'in').length, { timeout: 15_000 })
			.toBeGreaterThan(0);
	});

	test('presence checks are answered by most bots, slowly by some and never by others', async () => {
		// The first check goes out 10 s after the start; its unanswered acks time out 4 s later.
		await expect
			.poll(() => acks('presence:check', 'out').reduce((n, a) => n + (a.timeouts ?? 0), 0), {
				timeout: 30_000
			})
			.toBeGreaterThan(0);
		const answered = acks('presence:check', 'out').filter((a) => a.count > 0);
		expect(answered.length).toBeGreaterThan(0);
		expect(Math.max(...answered.map((a) => a.max ?? a.p99))).toBeGreaterThanOrEqual(900);
	}, 40_000);

	test('one client keeps failing its handshake', async () => {
		await expect
			.poll(
				() =>
					samples
						.flatMap((s) => Object.entries(s.connectionErrors?.counts ?? {}))
						// The demo refuses it with its own message; the agent counts any such refusal as `refused`.
						.filter(([code]) => code === 'refused')
						.reduce((n, [, count]) => n + count, 0),
				{ timeout: 15_000 }
			)
			.toBeGreaterThanOrEqual(2);
		// Its message is kept with the latest examples, not in the code.
		expect(
			samples.some((s) =>
				s.connectionErrors?.recent?.some((e) => e.message?.startsWith('invalid name'))
			)
		).toBe(true);
	});
});
