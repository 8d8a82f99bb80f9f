import { afterEach, describe, expect, test } from 'vitest';
import { NAMESPACES } from '../../server/demo/catalog.js';
import { startBots, type Bots } from '../../server/demo/bots.js';
import { startDemo, type DemoFixture } from '../support/demo-fixture.js';

let demo: DemoFixture;
let bots: Bots | undefined;
afterEach(async () => {
	await bots?.stop();
	bots = undefined;
	await demo?.close();
});

/** Sockets per namespace, as the server sees them. */
function census() {
	return Object.fromEntries(NAMESPACES.map((ns) => [ns, demo.server.io.of(ns).sockets.size]));
}

const total = () => Object.values(census()).reduce((a, b) => a + b, 0);

describe('bots', () => {
	test('N bots are N sockets, spread over every namespace, some on long-polling', async () => {
		demo = await startDemo();
		bots = startBots({ url: demo.server.url, count: 35, reconnectEvery: 3600 });

		await expect.poll(total, { timeout: 10_000 }).toBe(35);
		await expect.poll(() => bots?.connected).toBe(35);
		expect(census()).toEqual({ '/': 15, '/support': 10, '/tenant-acme': 5, '/tenant-globex': 5 });
		// One bot in nine polls; the others upgrade to websocket.
		const polling = () =>
			NAMESPACES.flatMap((ns) => [...demo.server.io.of(ns).sockets.values()]).filter(
				(s) => s.conn.transport.name === 'polling'
			).length;
		await expect.poll(polling).toBe(3);
	});

	test('take seats: rooms in the chat namespaces, tickets in /support', async () => {
		demo = await startDemo();
		bots = startBots({ url: demo.server.url, count: 14, kinds: ['idle'], pollingEvery: 0 });
		const seated = async () => {
			const sockets = await Promise.all(
				NAMESPACES.map((ns) => demo.server.io.of(ns).fetchSockets())
			);
			// Every socket is in its own room plus at least one more (a chat room, a ticket, `agents`).
			return sockets.flat().filter((s) => s.rooms.size > 1).length;
		};
		await expect.poll(seated, { timeout: 10_000 }).toBe(14);
	});

	test('stop disconnects every bot', async () => {
		demo = await startDemo();
		bots = startBots({ url: demo.server.url, count: 10, rate: 600, hopEvery: 0.05 });
		await expect.poll(total, { timeout: 10_000 }).toBe(10);
		await bots.stop();
		await expect.poll(total, { timeout: 10_000 }).toBe(0);
		expect(bots.connected).toBe(0);
	});

	test('reconnecting bots leave both ways and come back', async () => {
		demo = await startDemo();
		const connections: string[] = [];
		const reasons = new Set<string>();
		demo.server.io.on('connection', (socket) => {
			connections.push(socket.data.name);
			socket.on('disconnect', (reason) => reasons.add(reason));
		});
		bots = startBots({
			url: demo.server.url,
			count: 2,
			kinds: ['reconnector'],
			namespaces: ['/'],
			reconnectEvery: 0.05
		});
		// Two drops per bot: once by disconnecting, once by closing the transport; both come back.
		// engine.io reports a transport the client closed mid-write as 'transport error', not
		// 'transport close': both are the transport drop this test makes.
		const kind = (reason: string) => (reason === 'transport error' ? 'transport close' : reason);
		await expect
			.poll(() => [...new Set([...reasons].map(kind))].sort(), { timeout: 20_000 })
			.toEqual(['client namespace disconnect', 'transport close']);
		await expect.poll(() => connections.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(6);
	});
});
