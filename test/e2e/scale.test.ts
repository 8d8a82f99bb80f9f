/**
 * The sockets page with 2,000 sockets is a live window: scrolled to the bottom, its rows' figures
 * change as the sockets send events, a kicked socket's row disappears, and sorting by a changing
 * figure follows it. Times are printed for the record, never asserted.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openPage } from '../support/browser.js';
import { poll, textOf, useBrowser } from './helpers.js';
import {
	connectClients,
	disconnectAll,
	startChatServer,
	type ChatClient,
	type ChatServer
} from './server.js';

const COUNT = 2000;

describeBrowser('dashboard at scale', () => {
	const browser = useBrowser();
	let server: ChatServer;
	let clients: ChatClient[] = [];

	beforeAll(async () => {
		server = await startChatServer({ sampleInterval: 1000 });
		const started = Date.now();
		// A room per ten sockets, so a message reaches a few sockets rather than a thousand.
		for (let i = 0; i < 10; i++) {
			for (let j = 0; j < 20; j++) {
				clients = clients.concat(
					await connectClients(server.url, '/chat', `room-${i}-${j}`, COUNT / 200)
				);
			}
		}
		console.log(`scale: ${clients.length} sockets connected in ${Date.now() - started} ms`);
	}, 180_000);

	afterAll(async () => {
		disconnectAll(clients);
		await server?.close();
	}, 60_000);

	const clientOf = (id: string) => clients.find((c) => c.socket.id === id)!;

	it(`keeps the rows in view live at the bottom of ${COUNT} sockets`, async () => {
		const { page, errors } = await openPage(browser(), `${server.dashboard}#/sockets`);
		const started = Date.now();
		await poll(() => textOf(page, 'sockets-total'), 20_000).toBe(String(COUNT));
		await page.locator('[data-testid=socket-row]').first().waitFor();
		console.log(`scale: first rows ${Date.now() - started} ms after navigation`);

		const grid = page.getByRole('grid', { name: 'Sockets' });
		await grid.evaluate((el) => (el.scrollTop = el.scrollHeight));
		const last = page.locator(`#socket-row-${COUNT - 1}`);
		await last.waitFor({ timeout: 20_000 });
		// Only the rows in view and a margin are held, however many sockets match.
		expect(Number(await textOf(page, 'sockets-loaded'))).toBeLessThan(200);

		// A socket whose row is in view sends events: its row counts them.
		const lastId = (await last.getAttribute('data-socket-id'))!;
		const busy = clientOf(lastId);
		for (let i = 0; i < 3; i++) busy.socket.emit('message', `hello ${i}`);
		// The cells of a row follow the headers: the Events in column is found by its header.
		const column = await page
			.getByTestId('sockets-table')
			.locator('[role=columnheader]')
			.evaluateAll((hs) => hs.findIndex((h) => h.textContent?.trim().startsWith('Events in')));
		const eventsIn = (id: string) =>
			page.locator(`[data-socket-id="${id}"] [role=gridcell]`).nth(column).textContent();
		await poll(() => eventsIn(lastId), 10_000).toBe('3');
		for (let i = 0; i < 2; i++) busy.socket.emit('message', `again ${i}`);
		await poll(() => eventsIn(lastId), 10_000).toBe('5');

		// A socket kicked while its row is in view disappears from it.
		const kickedRow = page.locator(`#socket-row-${COUNT - 3}`);
		const kickedId = (await kickedRow.getAttribute('data-socket-id'))!;
		const kicked = clientOf(kickedId);
		await kickedRow.getByTestId('row-kick').click();
		await page.getByTestId('dialog-confirm').click();
		await poll(() => kicked.disconnectReason, 10_000).toBe('io server disconnect');
		await poll(() => page.locator(`[data-socket-id="${kickedId}"]`).count(), 10_000).toBe(0);
		await poll(() => textOf(page, 'sockets-total'), 10_000).toBe(String(COUNT - 1));

		// Sorted by a changing figure, the busiest socket leads, and is followed as it changes.
		await page.getByRole('button', { name: 'Events in' }).click();
		await page.getByRole('button', { name: 'Events in ↑' }).click();
		await poll(() => page.locator('#socket-row-0').getAttribute('data-socket-id'), 10_000).toBe(
			lastId
		);
		const other = clients.find((c) => c.socket.connected && c.socket.id !== lastId)!;
		for (let i = 0; i < 8; i++) other.socket.emit('message', `overtake ${i}`);
		await poll(() => page.locator('#socket-row-0').getAttribute('data-socket-id'), 10_000).toBe(
			other.socket.id
		);
		expect(errors).toEqual([]);
	}, 120_000);
});
