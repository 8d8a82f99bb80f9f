/**
 * The Rooms page across a recovered session (socket.io connection state recovery): a client's
 * transport drops and it comes back as the same socket, its rooms restored. The page, open all
 * along, lists the rooms the app made, never the socket's own id; the Overview counts the
 * recovery beside the connects.
 */
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openPage } from '../support/browser.js';
import { once, startFixture, type Fixture } from '../support/agent-fixture.js';
import { poll, useBrowser } from './helpers.js';

describeBrowser('rooms after a recovered session', () => {
	const browser = useBrowser();
	let f: Fixture;
	let client: ClientSocket;

	beforeAll(async () => {
		f = await startFixture({}, { connectionStateRecovery: {} }, (io) =>
			io.on('connection', (socket) => {
				socket.on('join', (room: string, ack: () => void) => {
					socket.join(room);
					ack();
				});
			})
		);
		client = await f.client('/', {
			reconnection: true,
			reconnectionDelay: 0,
			reconnectionDelayMax: 0
		});
		await client.emitWithAck('join', 'lobby');
		// The offset the client will ask to recover from: a packet the server stored for it.
		const news = once(client, 'news');
		f.io.to('lobby').emit('news', 'hello');
		await news;
	});

	afterAll(() => f?.close());

	it("does not list the socket's id after its session is recovered", async () => {
		const { page, errors } = await openPage(
			browser(),
			`${f.url}${f.agent.options.dashboard ? f.agent.options.dashboard.path : ''}/#/rooms`
		);
		const rooms = () =>
			page
				.getByTestId('room-row')
				.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-room')));
		await poll(rooms).toEqual(['lobby']);

		const id = client.id!;
		const back = once(client, 'connect');
		client.io.engine.close();
		await back;
		expect(client.recovered).toBe(true);
		expect(client.id).toBe(id);

		// A room joined after the recovery: once the page shows it, it has read the rooms since.
		await client.emitWithAck('join', 'later');
		await poll(rooms).toContain('later');
		expect((await rooms()).sort()).toEqual(['later', 'lobby']);
		await poll(() => page.getByTestId('rooms-total').textContent()).toBe('2');

		// The Overview counts the recovery beside the connects, not as one more.
		await page.goto(page.url().replace('#/rooms', '#/'));
		await poll(() => page.getByTestId('tile-connects').textContent()).toContain('recovered');
		expect(errors).toEqual([]);
	});
});
