/**
 * The dashboard against a real instrumented server: 25 scripted clients in three rooms across two
 * namespaces. What the pages show must match the server, and follow it as clients come and go.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openPage } from '../support/browser.js';
import { chatter, navigate, poll, screenshot, textOf, useBrowser } from './helpers.js';
import {
	connectClients,
	disconnectAll,
	startChatServer,
	type ChatClient,
	type ChatServer
} from './server.js';

const XSS = '<img src=x onerror=alert(1)>';

describeBrowser('dashboard', () => {
	const browser = useBrowser();
	let server: ChatServer;
	let lobby: ChatClient[];
	let games: ChatClient[];
	let sports: ChatClient[];
	const extra: ChatClient[] = [];

	beforeAll(async () => {
		server = await startChatServer();
		lobby = await connectClients(server.url, '/chat', 'lobby', 10);
		games = await connectClients(server.url, '/chat', 'games', 8);
		sports = await connectClients(server.url, '/news', 'sports', 7);
	});

	afterAll(async () => {
		disconnectAll([...lobby, ...games, ...sports, ...extra]);
		await server?.close();
	});

	async function roomSize(page: import('playwright-core').Page, room: string) {
		const row = page.locator(`[data-testid=room-row][data-room="${room}"]`);
		return (await row.count()) ? ((await row.getByTestId('room-size').textContent()) ?? '') : '';
	}

	it('shows exactly the sockets and room sizes the server has, and follows changes', async () => {
		const { page, errors } = await openPage(browser(), server.dashboard);
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('25');
		await poll(() => textOf(page, 'tile-rooms-value')).toBe('3');
		// The tab says which page, of which server.
		const host = new URL(server.url).host;
		expect(await page.title()).toBe(`Overview · ${host} · Sockscope`);

		await navigate(page, 'Sockets');
		await poll(() => page.title()).toBe(`Sockets · ${host} · Sockscope`);
		await poll(() => textOf(page, 'sockets-total')).toBe('25');
		await poll(() => textOf(page, 'sockets-loaded')).toBe('25');
		// At 1280 px every column fits: no header is cut short, and each row's Kick button is inside the table.
		const clipped = await page.getByTestId('sockets-table').evaluate((table) => {
			const right = table.getBoundingClientRect().right;
			const cut = [...table.querySelectorAll<HTMLElement>('[role=columnheader]')]
				.filter((h) => h.scrollWidth > h.clientWidth || h.getBoundingClientRect().right > right)
				.map((h) => h.textContent?.trim());
			const kick = table.querySelector('[data-testid=row-kick]');
			if (!kick) cut.push('(no Kick button)');
			else if (kick.getBoundingClientRect().right > right) cut.push('Kick');
			return cut;
		});
		expect(clipped).toEqual([]);

		await navigate(page, 'Rooms');
		await poll(() => roomSize(page, 'lobby')).toBe('10');
		await poll(() => roomSize(page, 'games')).toBe('8');
		await poll(() => roomSize(page, 'sports')).toBe('7');

		extra.push(...(await connectClients(server.url, '/news', 'sports', 5)));
		for (const c of lobby.splice(0, 3)) c.socket.disconnect();

		await poll(() => roomSize(page, 'lobby')).toBe('7');
		await poll(() => roomSize(page, 'sports')).toBe('12');
		await navigate(page, 'Sockets');
		await poll(() => textOf(page, 'sockets-total')).toBe('27');
		await poll(() => textOf(page, 'sockets-loaded')).toBe('27');
		await navigate(page, 'Overview');
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('27');
		expect(errors).toEqual([]);
	});

	it("shows each room's broadcasts and deliveries per second on the Rooms page", async () => {
		const { page, errors } = await openPage(browser(), server.dashboard);
		await navigate(page, 'Rooms');
		const figure = async (room: string, testId: string) => {
			const row = page.locator(`[data-testid=room-row][data-room="${room}"]`);
			return (await row.count())
				? ((await row.getByTestId(testId).textContent()) ?? '').trim()
				: '';
		};
		// Each message in games is broadcast to the room; lobby stays quiet.
		const stop = chatter(games, 100);
		try {
			await poll(async () => Number(await figure('games', 'room-broadcasts'))).toBeGreaterThan(0);
			await poll(async () => Number(await figure('games', 'room-deliveries'))).toBeGreaterThan(0);
			expect(await figure('lobby', 'room-broadcasts')).toBe('0');
		} finally {
			stop();
		}
		expect(errors).toEqual([]);
	});

	it('keeps the filters and the selected socket in a shareable URL', async () => {
		const target = sports[0].socket.id!;
		const url = `${server.dashboard}#/sockets?ns=${encodeURIComponent('/news')}&socket=${target}&sns=${encodeURIComponent('/news')}`;
		const { page } = await openPage(browser(), url);
		await poll(() => textOf(page, 'sockets-total')).toBe('12');
		await page.getByTestId('socket-detail').getByRole('heading', { name: target }).waitFor();
		await page.getByTestId('filter-transport').selectOption('polling');
		await poll(() => page.url()).toContain('transport=polling');
		await poll(() => textOf(page, 'sockets-total')).toBe('0');
	});

	it('renders names from the server as text, never as HTML', async () => {
		const [evil] = await connectClients(server.url, '/chat', XSS, 1, { userAgent: XSS });
		extra.push(evil);
		const { page, errors } = await openPage(browser(), `${server.dashboard}#/events`);
		let dialogs = 0;
		page.on('dialog', (d) => {
			dialogs++;
			void d.dismiss();
		});
		await poll(() => page.getByTestId('log-pause').isVisible()).toBe(true);
		const stop = setInterval(() => evil.socket.emit(XSS, XSS), 100);
		try {
			await poll(() =>
				page.getByTestId('log-event').getByText(XSS, { exact: true }).count()
			).toBeGreaterThan(0);
		} finally {
			clearInterval(stop);
		}
		await navigate(page, 'Rooms');
		await poll(() => roomSize(page, XSS)).toBe('1');
		await page
			.locator(`[data-testid=room-row][data-room="${XSS}"]`)
			.getByTestId('room-name')
			.click();
		await page.getByTestId('room-detail').getByRole('heading', { name: XSS }).waitFor();

		await page.goto(
			`${server.dashboard}#/sockets?socket=${evil.socket.id}&sns=${encodeURIComponent('/chat')}`
		);
		await page.getByTestId('socket-detail').getByText(XSS, { exact: true }).first().waitFor();
		expect(await page.locator('img[src="x"]').count()).toBe(0);
		expect(dialogs).toBe(0);
		expect(errors).toEqual([]);
	});

	it('saves a screenshot of each page', async () => {
		const stop = chatter([...lobby, ...games, ...sports], 60);
		try {
			const { page } = await openPage(browser(), `${server.dashboard}#/?range=1m`);
			// Some churn, so the connection chart has both directions to draw.
			const churn = setInterval(async () => {
				const [c] = await connectClients(server.url, '/news', 'sports', 1);
				setTimeout(() => c.socket.disconnect(), 700);
			}, 900);
			await page.waitForTimeout(8000);
			clearInterval(churn);
			await screenshot(page, 'overview');
			await navigate(page, 'Sockets');
			await page.getByTestId('socket-row').nth(3).waitFor();
			await screenshot(page, 'sockets');
			await page.getByTestId('socket-row').nth(3).click();
			await page.getByTestId('detail-rooms').waitFor();
			await screenshot(page, 'socket-detail');
			await page.goto(`${server.dashboard}#/rooms?room=lobby&rns=${encodeURIComponent('/chat')}`);
			await page.getByTestId('room-member').nth(2).waitFor();
			await page.waitForTimeout(3000);
			await screenshot(page, 'rooms');
			await navigate(page, 'Namespaces');
			await page.getByTestId('namespace-row').first().waitFor();
			await screenshot(page, 'namespaces');
			await navigate(page, 'Events');
			await page.getByTestId('log-entry').nth(10).waitFor();
			await screenshot(page, 'events');
			await navigate(page, 'Servers');
			await page.getByTestId('server-row').first().waitFor();
			await screenshot(page, 'servers');
			await navigate(page, 'Overview');
			await page.emulateMedia({ colorScheme: 'dark' });
			await page.waitForTimeout(1500);
			await screenshot(page, 'overview-dark');
		} finally {
			stop();
		}
	}, 60_000);
});
