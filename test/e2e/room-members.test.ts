/**
 * A large room on the Rooms page: its members are a live window on the room's sockets, as the
 * Sockets page's rows are. Each member shows its label; scrolled to the end the last members are
 * there (not placeholders); a member who leaves is gone from the list; another room opened shows
 * its own members.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeBrowser, openPage } from '../support/browser.js';
import { poll, textOf, useBrowser } from './helpers.js';
import {
	connectClients,
	disconnectAll,
	startChatServer,
	type ChatClient,
	type ChatServer
} from './server.js';

const MEMBERS = 300;
const labelOf = (id: string) => `guest ${id.slice(0, 6)}`;

/** The member rows drawn now: socket id and label. */
function drawn(page: Page): Promise<{ id: string; label: string }[]> {
	return page.getByTestId('room-member').evaluateAll((rows) =>
		rows.map((row) => ({
			id: row.getAttribute('data-socket-id') ?? '',
			label: row.querySelector('[data-testid=member-label]')?.textContent?.trim() ?? ''
		}))
	);
}

describeBrowser('room members', () => {
	const browser = useBrowser();
	let server: ChatServer;
	let members: ChatClient[];
	let others: ChatClient[];

	beforeAll(async () => {
		server = await startChatServer({ label: (socket) => labelOf(socket.id) });
		members = await connectClients(server.url, '/chat', 'help', MEMBERS);
		others = await connectClients(server.url, '/chat', 'lobby', 5);
	});

	afterAll(async () => {
		disconnectAll([...members, ...others]);
		await server?.close();
	});

	it('shows a large room’s members with labels, to the last, drops one who leaves, and shows the next room’s', async () => {
		const ids = new Set(members.map((c) => c.socket.id!));
		const { page, errors } = await openPage(
			browser(),
			`${server.dashboard}#/rooms?room=help&rns=${encodeURIComponent('/chat')}`
		);
		await poll(() => textOf(page, 'room-members-total')).toBe(String(MEMBERS));

		// The first members, each with its own label; only the room's sockets.
		await poll(async () => (await drawn(page)).length).toBeGreaterThan(5);
		const top = await drawn(page);
		for (const row of top) {
			expect(ids.has(row.id)).toBe(true);
			expect(row.label).toBe(labelOf(row.id));
		}

		// Scrolled to the end: the last members come, in place of the placeholders.
		const list = page.getByTestId('room-members').getByRole('grid');
		await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
		const busy = page.getByTestId('room-members').locator('[aria-busy=true]');
		await poll(async () => {
			const rows = await drawn(page);
			const topIds = new Set(top.map((r) => r.id));
			return (
				(await busy.count()) === 0 &&
				rows.length > 5 &&
				rows.every((r) => ids.has(r.id) && r.label === labelOf(r.id) && !topIds.has(r.id))
			);
		}, 15_000).toBe(true);

		// A member who leaves is gone from the list, and from the count.
		const leaving = (await drawn(page)).at(-1)!.id;
		members.find((c) => c.socket.id === leaving)!.socket.disconnect();
		await poll(async () => (await drawn(page)).some((r) => r.id === leaving), 15_000).toBe(false);
		await poll(() => textOf(page, 'room-members-total')).toBe(String(MEMBERS - 1));
		expect(await busy.count()).toBe(0);

		// Another room opened from the list: its members replace the first room's window.
		await page
			.locator('[data-testid=room-row][data-room="lobby"]')
			.getByTestId('room-name')
			.click();
		await poll(() => textOf(page, 'room-members-total')).toBe(String(others.length));
		const lobby = new Set(others.map((c) => c.socket.id!));
		await poll(async () => (await drawn(page)).map((r) => lobby.has(r.id))).toEqual(
			others.map(() => true)
		);
		expect(errors).toEqual([]);
	}, 60_000);
});
