/**
 * Admin actions from the dashboard reach the real clients: a kick fires the client's own
 * `disconnect`, a move changes its rooms on the server, a test event reaches only its target, and
 * a room-wide move shows its dry-run count before it happens.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect, it, type TestContext } from 'vitest';
import { KICK_EVENT } from '../../server/protocol/commands.js';
import { describeBrowser, openPage } from '../support/browser.js';
import { agentFeatures, poll, screenshot, textOf, useBrowser } from './helpers.js';
import {
	connectClients,
	disconnectAll,
	startChatServer,
	type ChatClient,
	type ChatServer
} from './server.js';

const CHAT = encodeURIComponent('/chat');

describeBrowser('dashboard actions', () => {
	const browser = useBrowser();
	let server: ChatServer;
	let clients: ChatClient[];
	let hasCommands = false;

	beforeAll(async () => {
		server = await startChatServer();
		clients = [
			...(await connectClients(server.url, '/chat', 'lobby', 6)),
			...(await connectClients(server.url, '/chat', 'games', 4))
		];
		hasCommands = (await agentFeatures(server.url)).includes('commands');
	});

	afterAll(async () => {
		disconnectAll(clients);
		await server?.close();
	});

	beforeEach((ctx: TestContext) => {
		if (!hasCommands) ctx.skip('the agent does not announce the `commands` feature yet');
	});

	async function openSocket(id: string): Promise<Page> {
		const { page } = await openPage(
			browser(),
			`${server.dashboard}#/sockets?ns=${CHAT}&socket=${id}&sns=${CHAT}`
		);
		await page.getByTestId('detail-rooms').waitFor();
		return page;
	}

	async function roomsOnServer(id: string): Promise<string[]> {
		const [socket] = await server.io.of('/chat').in(id).fetchSockets();
		return socket ? [...socket.rooms].filter((r) => r !== id).sort() : [];
	}

	it('kicks a socket from its row: the client disconnects and the count drops', async () => {
		const target = clients.pop()!;
		const id = target.socket.id!;
		const { page } = await openPage(browser(), `${server.dashboard}#/sockets`);
		await poll(() => textOf(page, 'sockets-total')).toBe('10');
		await page.getByTestId('filter-q').fill(id);
		await poll(() => textOf(page, 'sockets-total')).toBe('1');
		await page.locator(`[data-socket-id="${id}"]`).getByTestId('row-kick').click();
		await page.getByTestId('kick-reason').fill('spamming');
		await page.getByTestId('dialog-confirm').click();

		await poll(() => target.disconnectReason).toBe('io server disconnect');
		expect(target.received).toContainEqual({ event: KICK_EVENT, args: [{ reason: 'spamming' }] });
		await page.getByTestId('filter-q').fill('');
		await poll(() => textOf(page, 'sockets-total')).toBe('9');
		await poll(() => page.getByTestId('notice').first().textContent()).toContain('Disconnected');
	});

	it('moves a socket to another room from its details', async () => {
		const target = clients[0];
		const id = target.socket.id!;
		const page = await openSocket(id);
		await page.getByTestId('detail-move').click();
		await page.getByTestId('move-from').selectOption('lobby');
		await page.getByTestId('move-to').fill('arcade');
		await page.getByTestId('dialog-confirm').click();

		await poll(() => roomsOnServer(id)).toEqual(['arcade']);
		await poll(() => page.getByTestId('detail-rooms').textContent()).toContain('arcade');
	});

	it('sends a test event to exactly the targeted client', async () => {
		const [target, ...others] = clients;
		const page = await openSocket(target.socket.id!);
		await page.getByTestId('detail-emit').click();
		await page.getByTestId('emit-event').fill('sockscope:test');
		await page.getByTestId('emit-args').fill('["hi", {"n": 1}]');
		await page.getByTestId('dialog-confirm').click();

		await poll(() => target.received.filter((r) => r.event === 'sockscope:test')).toEqual([
			{ event: 'sockscope:test', args: ['hi', { n: 1 }] }
		]);
		// Give a wrongly addressed event time to arrive before concluding that none did.
		await new Promise((r) => setTimeout(r, 500));
		expect(others.flatMap((c) => c.received).filter((r) => r.event === 'sockscope:test')).toEqual(
			[]
		);
	});

	it('moves a whole room after showing the dry run’s count', async () => {
		const members = (await server.io.of('/chat').in('games').fetchSockets()).length;
		expect(members).toBeGreaterThan(1);
		const { page } = await openPage(browser(), `${server.dashboard}#/rooms?room=games&rns=${CHAT}`);
		await poll(() => textOf(page, 'room-detail-size')).toBe(String(members));
		await page.getByTestId('room-move').click();
		await page.getByTestId('room-move-to').fill('hall');
		await page.getByTestId('dialog-confirm').click();
		await poll(() => textOf(page, 'dry-run-count')).toContain(`${members} sockets`);
		expect(await server.io.of('/chat').in('hall').fetchSockets()).toHaveLength(0);

		await page.getByTestId('dialog-confirm').click();
		await poll(async () => (await server.io.of('/chat').in('hall').fetchSockets()).length).toBe(
			members
		);
		expect(await server.io.of('/chat').in('games').fetchSockets()).toHaveLength(0);
	});

	it('lists every command in the audit trail, newest first', async () => {
		const { page } = await openPage(browser(), `${server.dashboard}#/audit`);
		await poll(() => page.getByTestId('audit-row').count()).toBeGreaterThanOrEqual(4);
		const commands = await page
			.getByTestId('audit-row')
			.locator('td:nth-child(3)')
			.allTextContents();
		expect(commands).toEqual(
			expect.arrayContaining(['socket:disconnect', 'socket:move', 'emit:send', 'room:move'])
		);
		expect(commands[0]).toBe('room:move');
		await screenshot(page, 'audit');
	});
});
