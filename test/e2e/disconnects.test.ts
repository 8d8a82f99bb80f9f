/**
 * The Disconnects page in a real Chromium: a client labelled `alice` dropped three ways (its
 * transport killed, a ping timeout, a kick with a reason from a dashboard) is found by its label,
 * three rows with their reasons, durations and rooms, the kick's reason and who kicked beside it;
 * a live socket's details link to the earlier sessions of its label.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import type { Ack } from '../../server/protocol/models.js';
import { describeBrowser, openPage } from '../support/browser.js';
import { navigate, poll, textOf, useBrowser } from './helpers.js';
import { startChatServer, type ChatServer } from './server.js';

/** Resolves when the server has seen socket `id` of `/chat` disconnect, with its reason. */
function serverSideGone(io: Server, id: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = io.of('/chat').sockets.get(id);
		if (!socket) return reject(new Error(`no socket ${id}`));
		socket.once('disconnect', (reason) => resolve(reason));
	});
}

describeBrowser('disconnects page', () => {
	const browser = useBrowser();
	let server: ChatServer;
	const sockets: ClientSocket[] = [];

	function alice(): Promise<ClientSocket> {
		const socket = connect(`${server.url}/chat`, {
			forceNew: true,
			reconnection: false,
			transports: ['websocket'],
			auth: { room: 'lobby', name: 'alice' }
		});
		sockets.push(socket);
		return new Promise((resolve, reject) => {
			socket.once('connect', () => resolve(socket));
			socket.once('connect_error', reject);
		});
	}

	beforeAll(async () => {
		server = await startChatServer(
			{ label: (socket) => String((socket.handshake.auth as { name?: string }).name ?? '') },
			0,
			// Heartbeats every second, so that the dropped pongs' timeout comes within a few seconds,
			// while the live sessions of a loaded machine still answer theirs in time.
			{ pingInterval: 1000, pingTimeout: 1500 }
		);
	});

	afterAll(async () => {
		for (const s of sockets) s.disconnect();
		await server?.close();
	});

	it('finds alice by label: three rows with reasons, durations, rooms and the kick', async () => {
		// 1. Its transport killed.
		let socket = await alice();
		let gone = serverSideGone(server.io, socket.id!);
		socket.io.engine.close();
		await gone;
		// 2. It stops answering heartbeats: its engine drops its pongs.
		socket = await alice();
		gone = serverSideGone(server.io, socket.id!);
		const engine = socket.io.engine as unknown as {
			_sendPacket(type: string, ...rest: unknown[]): void;
		};
		const send = engine._sendPacket.bind(engine);
		engine._sendPacket = (type, ...rest) => {
			if (type !== 'pong') send(type, ...rest);
		};
		expect(await gone).toBe('ping timeout');
		// 3. Kicked from a dashboard, with a reason.
		socket = await alice();
		gone = serverSideGone(server.io, socket.id!);
		const admin = connect(`${server.url}/sockscope`, { forceNew: true, transports: ['websocket'] });
		sockets.push(admin);
		await new Promise((resolve) => admin.once('state:snapshot', resolve));
		const kick = (await admin.emitWithAck('socket:disconnect', {
			namespace: '/chat',
			id: socket.id,
			reason: 'spamming the lobby'
		})) as Ack<unknown>;
		expect('data' in kick).toBe(true);
		await gone;
		// Still connected: its details link to the earlier sessions.
		const live = await alice();

		const { page, errors } = await openPage(browser(), server.dashboard);
		await navigate(page, 'Disconnects');
		await page.getByLabel('Search').fill('alice');
		await poll(() => page.getByTestId('disconnect-row').count()).toBe(3);
		expect((await textOf(page, 'disconnects-total')).replace(/\s+/g, ' ')).toBe(
			'3 disconnects match'
		);
		// The rows read in one go: the page refreshes its list, and cells read one query at a time
		// could straddle a refresh.
		const cells = () =>
			page.getByTestId('disconnect-row').evaluateAll((rows) =>
				rows.map((row) => {
					const text = (id: string) =>
						(row.querySelector(`[data-testid="${id}"]`)?.textContent ?? '').trim();
					return {
						reason: text('disconnect-reason'),
						label: text('disconnect-label'),
						rooms: text('disconnect-rooms'),
						duration: text('disconnect-duration'),
						kicked: row.querySelector('[data-testid="disconnect-kick"]') !== null
					};
				})
			);
		await poll(async () => (await cells()).length).toBe(3);
		const rows = await cells();
		const reasons = rows.map((r) => r.reason);
		expect(reasons[0]).toMatch(/^server namespace disconnect/);
		expect(reasons[0]).toContain('kicked by anonymous: spamming the lobby');
		expect(reasons[1]).toMatch(/^ping timeout/);
		expect(reasons[2]).toMatch(/^transport close/);
		expect(rows.map((r) => r.label)).toEqual(['alice', 'alice', 'alice']);
		expect(rows.map((r) => r.rooms)).toEqual(['lobby', 'lobby', 'lobby']);
		for (const r of rows) expect(r.duration).toMatch(/\d+(\.\d+)? (ms|s)$/);
		expect(rows.filter((r) => r.kicked)).toHaveLength(1);

		// The client's pattern over the last hour.
		await page.getByTestId('disconnect-patterns-open').first().click();
		await poll(async () =>
			(await textOf(page, 'disconnect-patterns')).replace(/\s+/g, ' ')
		).toContain('3 disconnects');

		// From a live socket of alice to her earlier sessions.
		await navigate(page, 'Sockets');
		await page.getByLabel('Search').fill(live.id!);
		await page.getByTestId('socket-row').first().click();
		await page.getByTestId('detail-earlier-sessions').click();
		await poll(() => page.getByTestId('disconnect-row').count()).toBe(3);
		expect(errors).toEqual([]);
		// Three real disconnects (a ping timeout among them) and a browser's walk: more than the
		// default 30 s on a machine running a second suite beside this one.
	}, 120_000);
});
