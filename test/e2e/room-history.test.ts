/**
 * Opening a room that existed before the dashboard did draws its membership over the last five
 * minutes at once, from the agent's history: the joins and leaves made before the page opened.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openPage } from '../support/browser.js';
import { waitFor } from '../support/util.js';
import { poll, textOf, useBrowser } from './helpers.js';
import {
	connectClients,
	disconnectAll,
	startChatServer,
	type ChatClient,
	type ChatServer
} from './server.js';

describeBrowser('room membership history', () => {
	const browser = useBrowser();
	let server: ChatServer;
	let clients: ChatClient[];
	let watcher: Socket;

	beforeAll(async () => {
		server = await startChatServer();
		// Only counts samples (each one a row of history); it never opens a room.
		watcher = connect(`${server.url}${server.agent.options.namespace}`, {
			forceNew: true,
			reconnection: false,
			transports: ['websocket']
		});
		clients = await connectClients(server.url, '/chat', '', 5);
	});

	afterAll(async () => {
		watcher?.disconnect();
		disconnectAll(clients ?? []);
		await server?.close();
	});

	async function samples(count: number): Promise<void> {
		for (let i = 0; i < count; i++) await waitFor(watcher, 'stats:sample', 10_000);
	}

	/** Joins or leaves on the server, all at once, so no sample falls between them. */
	function move(action: 'join' | 'leave', from: number, to: number): void {
		for (const c of clients.slice(from, to)) {
			void server.io.of('/chat').sockets.get(c.socket.id!)![action]('lobby');
		}
	}

	it('shows the sizes the room went through before the page opened, then follows it', async () => {
		await samples(2);
		move('join', 0, 2);
		await samples(3);
		move('join', 2, 5);
		await samples(3);
		move('leave', 1, 5);
		await samples(3);

		const { page, errors } = await openPage(
			browser(),
			`${server.dashboard}#/rooms?room=lobby&rns=${encodeURIComponent('/chat')}`
		);
		await page.getByTestId('room-detail').getByRole('heading', { name: 'lobby' }).waitFor();
		const steps = async () => {
			const sizes = (await page.getByTestId('room-chart').getAttribute('data-sizes')) ?? '';
			const known = sizes ? sizes.split(',').map(Number) : [];
			return known.filter((s, i) => i === 0 || s !== known[i - 1]);
		};
		await poll(steps).toEqual([2, 5, 1]);
		await poll(() => textOf(page, 'room-detail-size')).toBe('1');

		// While it is open, the chart follows the room.
		move('join', 1, 3);
		await poll(steps).toEqual([2, 5, 1, 3]);
		await poll(() => textOf(page, 'room-detail-size')).toBe('3');
		expect(errors).toEqual([]);
	});
});
