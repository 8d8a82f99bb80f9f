/**
 * The `label` option in the browser: the Sockets table shows each socket's label in its own
 * column and the details show it too, and the search finds sockets by it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openPage } from '../support/browser.js';
import { navigate, poll, textOf, useBrowser } from './helpers.js';
import {
	connectClients,
	disconnectAll,
	startChatServer,
	type ChatClient,
	type ChatServer
} from './server.js';

describeBrowser('socket labels', () => {
	const browser = useBrowser();
	let server: ChatServer;
	let clients: ChatClient[];

	beforeAll(async () => {
		server = await startChatServer({
			label: (socket) => `${(socket.handshake.auth as { room: string }).room} member`
		});
		clients = [
			...(await connectClients(server.url, '/chat', 'lobby', 3)),
			...(await connectClients(server.url, '/chat', 'games', 2))
		];
	});

	afterAll(async () => {
		disconnectAll(clients);
		await server?.close();
	});

	it('shows labels in the table and the details, and finds sockets by label', async () => {
		const { page, errors } = await openPage(browser(), server.dashboard);
		await navigate(page, 'Sockets');
		await poll(() => textOf(page, 'sockets-loaded')).toBe('5');
		const labels = await page.getByTestId('socket-label').allTextContents();
		expect(labels.map((l) => l.trim()).sort()).toEqual([
			'games member',
			'games member',
			'lobby member',
			'lobby member',
			'lobby member'
		]);

		await page.getByLabel('Search').fill('games mem');
		await poll(() => textOf(page, 'sockets-total')).toBe('2');
		await page.getByTestId('socket-row').first().click();
		await expect.poll(() => page.getByText('games member').count()).toBeGreaterThan(1);
		expect(errors).toEqual([]);
	});
});
