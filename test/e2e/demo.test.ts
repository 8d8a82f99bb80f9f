/**
 * The dashboard against the demo itself (no bots), with 25 scripted clients in three rooms across
 * two namespaces: the overview, sockets and rooms pages show exactly what the server has, and
 * follow within three seconds as 5 more connect and 3 leave.
 */
import type { Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openPage } from '../support/browser.js';
import { request, startDemo, type DemoFixture } from '../support/demo-fixture.js';
import { navigate, poll, textOf, useBrowser } from './helpers.js';

const FOLLOW_MS = 3000;

describeBrowser('dashboard over the demo', () => {
	const browser = useBrowser();
	let demo: DemoFixture;
	let general: Socket[];

	/** `count` named clients of `namespace`, each joined to `room` through the demo's own protocol. */
	async function join(namespace: string, room: string, count: number): Promise<Socket[]> {
		return Promise.all(
			Array.from({ length: count }, async (_, i) => {
				const socket = await demo.client(namespace, { name: `${room}-${i}-${Math.random().toString(36).slice(2, 6)}` });
				await request(socket, 'room:join', room);
				return socket;
			})
		);
	}

	async function roomSize(page: Page, room: string) {
		const row = page.locator(`[data-testid=room-row][data-room="${room}"]`);
		return (await row.count()) ? ((await row.getByTestId('room-size').textContent()) ?? '') : '';
	}

	beforeAll(async () => {
		demo = await startDemo({ instrument: { auth: false, sampleInterval: 250 } });
		general = await join('/', 'general', 10);
		await join('/', 'random', 8);
		await join('/tenant-acme', 'rockets', 7);
	});
	afterAll(() => demo?.close());

	it('shows exactly 25 sockets and the room sizes, and follows 5 connects and 3 leaves', async () => {
		const { page, errors } = await openPage(browser(), `${demo.server.url}/sockscope/`);
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('25');
		await poll(() => textOf(page, 'tile-namespaces-value')).toBe('4');
		await poll(() => textOf(page, 'tile-rooms-value')).toBe('3');
		await navigate(page, 'Sockets');
		await poll(() => textOf(page, 'sockets-total')).toBe('25');
		await navigate(page, 'Rooms');
		await poll(() => roomSize(page, 'general')).toBe('10');
		await poll(() => roomSize(page, 'random')).toBe('8');
		await poll(() => roomSize(page, 'rockets')).toBe('7');

		await join('/tenant-acme', 'rockets', 5);
		for (const socket of general.splice(0, 3)) socket.disconnect();
		await poll(() => roomSize(page, 'rockets'), FOLLOW_MS).toBe('12');
		await poll(() => roomSize(page, 'general'), FOLLOW_MS).toBe('7');
		await navigate(page, 'Overview');
		await poll(() => textOf(page, 'tile-sockets-value'), FOLLOW_MS).toBe('27');
		await navigate(page, 'Sockets');
		await poll(() => textOf(page, 'sockets-total'), FOLLOW_MS).toBe('27');
		expect(errors).toEqual([]);
	}, 60_000);
});
