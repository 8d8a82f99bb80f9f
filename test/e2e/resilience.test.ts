/**
 * The dashboard survives its server: when the server restarts on the same port, the dashboard
 * says it is offline, reconnects by itself and resynchronises from a fresh snapshot.
 */
import { afterAll, expect, it } from 'vitest';
import { describeBrowser, openPage } from '../support/browser.js';
import { poll, textOf, useBrowser } from './helpers.js';
import {
	connectClients,
	disconnectAll,
	startChatServer,
	type ChatClient,
	type ChatServer
} from './server.js';

describeBrowser('dashboard reconnection', () => {
	const browser = useBrowser();
	let server: ChatServer | undefined;
	const clients: ChatClient[] = [];

	afterAll(async () => {
		disconnectAll(clients);
		await server?.close();
	});

	it('recovers after the server restarts on the same port', async () => {
		server = await startChatServer();
		clients.push(...(await connectClients(server.url, '/chat', 'lobby', 4)));
		const { page, errors } = await openPage(browser(), server.dashboard);
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('4');

		const port = server.port;
		await server.close();
		server = undefined;
		await poll(() => page.getByTestId('connection-status').getAttribute('data-status')).toBe(
			'reconnecting'
		);
		await page.getByTestId('offline-banner').waitFor();

		server = await startChatServer({}, port);
		clients.push(...(await connectClients(server.url, '/news', 'sports', 2)));
		await poll(
			() => page.getByTestId('connection-status').getAttribute('data-status'),
			20_000
		).toBe('connected');
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('2');
		expect(await page.getByTestId('offline-banner').count()).toBe(0);
		// The browser logs the refused connections while the server is down; nothing else may fail.
		expect(
			errors.filter(
				(e) => !/ERR_CONNECTION_REFUSED|WebSocket connection|Failed to load resource/.test(e)
			)
		).toEqual([]);
	}, 60_000);
});
