/**
 * The dashboard over @socket.io/admin-ui, in real Chromium: a real server instrumented with
 * admin-ui (not Sockscope's agent) serves the built dashboard, with 25 scripted clients in three
 * rooms across two namespaces. The dashboard detects the protocol, shows what the server has,
 * acts on the real clients through admin-ui's commands, and says what this source cannot give.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KICK_EVENT } from '../../server/protocol/commands.js';
import {
	startAdminUiServer,
	type AdminUiServer,
	type AdminUiServerOptions
} from '../support/admin-ui-fixture.js';
import { describeBrowser, openPage } from '../support/browser.js';
import { chatter, navigate, poll, screenshot, textOf, useBrowser } from './helpers.js';
import { connectClients, disconnectAll, type ChatClient } from './server.js';

const LOGIN = { username: 'admin', password: 'admin-pw' };
const CHAT = encodeURIComponent('/chat');

async function login(page: Page, password = LOGIN.password): Promise<void> {
	await poll(() => textOf(page, 'detected-source')).toContain('@socket.io/admin-ui at /admin');
	await page.locator('input[name=user]').fill(LOGIN.username);
	await page.locator('input[name=password]').fill(password);
	await page.getByRole('button', { name: 'Connect' }).click();
}

async function roomSize(page: Page, room: string): Promise<string> {
	const row = page.locator(`[data-testid=room-row][data-room="${room}"]`);
	return (await row.count()) ? ((await row.getByTestId('room-size').textContent()) ?? '') : '';
}

/** The page's errors, less the 404 of the agent's config.json, which admin-ui does not serve. */
function realErrors(errors: string[]): string[] {
	return errors.filter((e) => !e.includes('404'));
}

/**
 * An admin-ui server for one suite, with 25 clients in three rooms across two namespaces: lobby
 * (10) and games (8) in /chat, sports (7) in /news; or none.
 */
function useAdminUi(options: AdminUiServerOptions, withClients = true) {
	const suite = { server: null as unknown as AdminUiServer, clients: [] as ChatClient[] };
	beforeAll(async () => {
		suite.server = await startAdminUiServer(options);
		if (!withClients) return;
		const { url } = suite.server;
		suite.clients = [
			...(await connectClients(url, '/chat', 'lobby', 10)),
			...(await connectClients(url, '/chat', 'games', 8)),
			...(await connectClients(url, '/news', 'sports', 7))
		];
	});
	afterAll(async () => {
		disconnectAll(suite.clients);
		await suite.server?.close();
	});
	return suite;
}

describeBrowser('dashboard over @socket.io/admin-ui (development mode)', () => {
	const browser = useBrowser();
	const suite = useAdminUi({ login: LOGIN });

	async function signedIn(hash = ''): Promise<{ page: Page; errors: string[] }> {
		const opened = await openPage(browser(), `${suite.server.dashboard}${hash}`);
		await login(opened.page);
		await opened.page
			.getByTestId('connection-status')
			.and(opened.page.locator('[data-status=connected]'))
			.waitFor();
		return opened;
	}

	it('detects admin-ui and shows the sockets, rooms and namespaces the server has', async () => {
		const { page, errors } = await signedIn();
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('25');
		await poll(() => textOf(page, 'tile-rooms-value')).toBe('3');
		await poll(() => textOf(page, 'tile-namespaces-value')).toBe('3');
		expect(await textOf(page, 'source-label')).toBe('@socket.io/admin-ui · development mode');

		await navigate(page, 'Sockets');
		await poll(() => textOf(page, 'sockets-total')).toBe('25');
		await navigate(page, 'Rooms');
		await poll(() => roomSize(page, 'lobby')).toBe('10');
		await poll(() => roomSize(page, 'games')).toBe('8');
		await poll(() => roomSize(page, 'sports')).toBe('7');
		await navigate(page, 'Namespaces');
		await poll(() =>
			page
				.getByTestId('namespace-row')
				.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-namespace')).sort())
		).toEqual(['/', '/chat', '/news']);
		expect(realErrors(errors)).toEqual([]);
	});

	it('keeps the session across a reload, without the password', async () => {
		const { page } = await signedIn();
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('25');
		await page.reload();
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('25');
		expect(await page.locator('input[name=password]').count()).toBe(0);
	});

	it('kicks a socket from its row: the client disconnects and the count drops', async () => {
		const target = suite.clients.pop()!;
		const id = target.socket.id!;
		const { page } = await signedIn('#/sockets');
		await poll(() => textOf(page, 'sockets-total')).toBe('25');
		await page.getByTestId('filter-q').fill(id);
		await poll(() => textOf(page, 'sockets-total')).toBe('1');
		await page.locator(`[data-socket-id="${id}"]`).getByTestId('row-kick').click();
		await page.getByTestId('kick-reason').fill('spamming');
		await page.getByTestId('dialog-confirm').click();

		await poll(() => target.disconnectReason).toBe('io server disconnect');
		expect(target.received).toContainEqual({ event: KICK_EVENT, args: [{ reason: 'spamming' }] });
		await page.getByTestId('filter-q').fill('');
		await poll(() => textOf(page, 'sockets-total')).toBe('24');
		await poll(() => page.getByTestId('notice').first().textContent()).toContain('Disconnected');
	});

	it('moves a socket to another room and sends it a test event', async () => {
		const [target, ...others] = suite.clients;
		const id = target.socket.id!;
		const { page } = await signedIn(`#/sockets?ns=${CHAT}&socket=${id}&sns=${CHAT}`);
		await page.getByTestId('detail-rooms').waitFor();
		await page.getByTestId('detail-move').click();
		await page.getByTestId('move-from').selectOption('lobby');
		await page.getByTestId('move-to').fill('arcade');
		await page.getByTestId('dialog-confirm').click();
		await poll(async () => {
			const [socket] = await suite.server.io.of('/chat').in(id).fetchSockets();
			return [...(socket?.rooms ?? [])].filter((r) => r !== id);
		}).toEqual(['arcade']);
		await poll(() => page.getByTestId('detail-rooms').textContent()).toContain('arcade');

		await page.getByTestId('detail-emit').click();
		await page.getByTestId('emit-event').fill('sockscope:test');
		await page.getByTestId('emit-args').fill('["hi", {"n": 1}]');
		await page.getByTestId('dialog-confirm').click();
		await poll(() => target.received.filter((r) => r.event === 'sockscope:test')).toEqual([
			{ event: 'sockscope:test', args: ['hi', { n: 1 }] }
		]);
		// Give a wrongly addressed event time to arrive before concluding that none did.
		await new Promise((r) => setTimeout(r, 500));
		expect(others.flatMap((c) => c.received).some((r) => r.event === 'sockscope:test')).toBe(false);
	});

	it('shows what admin-ui cannot give as disabled, with the reason', async () => {
		const { page } = await signedIn();
		const rtt = page.getByTestId('tile-rtt');
		await poll(() => rtt.getAttribute('data-disabled')).toBe('true');
		expect(await textOf(page, 'tile-rtt-value')).toBe('n/a');
		expect(await rtt.getAttribute('title')).toMatch(/does not measure heartbeat/);
		expect(await page.getByTestId('tile-cpu').getAttribute('data-disabled')).toBe('true');
		const gaps = await page.getByTestId('gap').allTextContents();
		expect(gaps.join('\n')).toMatch(/keeps no history.*Sockscope’s agent keeps hours/);
		expect(gaps.join('\n')).toMatch(/does not time acknowledgements/);
		expect(gaps.join('\n')).toMatch(/does not see failed handshakes/);
		// No trail, no markers: the checkbox that shows them on the charts is not offered.
		expect(await page.getByTestId('markers-toggle').count()).toBe(0);

		const audit = page
			.getByRole('navigation', { name: 'Pages' })
			.getByRole('link', { name: 'Audit' });
		expect(await audit.getAttribute('title')).toMatch(/keeps no record of admin commands/);
		await audit.click();
		expect(await textOf(page, 'page-disabled-reason')).toMatch(/keeps no record of admin commands/);
		// No record of disconnects in that protocol: the page says so instead of showing nothing.
		const disconnects = page
			.getByRole('navigation', { name: 'Pages' })
			.getByRole('link', { name: 'Disconnects' });
		expect(await disconnects.getAttribute('title')).toMatch(/forgets a socket the moment it disconnects/);
		await disconnects.click();
		await poll(() => textOf(page, 'page-disabled-reason')).toMatch(
			/forgets a socket the moment it disconnects/
		);

		await navigate(page, 'Servers');
		await poll(() => page.getByTestId('server-row').getAttribute('data-state')).toBe('up');
		expect(await page.getByTestId('gap').allTextContents()).toEqual(
			expect.arrayContaining([expect.stringMatching(/no CPU, memory or event-loop/)])
		);
	});

	it('saves a screenshot of the overview', async () => {
		const stop = chatter(suite.clients, 80);
		try {
			const { page } = await signedIn('#/?range=1m');
			const churn = setInterval(async () => {
				const [c] = await connectClients(suite.server.url, '/news', 'sports', 1);
				setTimeout(() => c.socket.disconnect(), 700);
			}, 900);
			await page.waitForTimeout(9000);
			clearInterval(churn);
			await screenshot(page, 'admin-ui-overview');
		} finally {
			stop();
		}
	}, 60_000);
});

describeBrowser('dashboard over @socket.io/admin-ui (production mode)', () => {
	const browser = useBrowser();
	const suite = useAdminUi({ mode: 'production' });

	it('counts sockets and servers, and says why the rest is not there', async () => {
		// No login configured: detection finds admin-ui open and connects at once.
		const { page } = await openPage(browser(), suite.server.dashboard);
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('25');
		await poll(() => textOf(page, 'tile-namespaces-value')).toBe('3');
		expect(await page.getByTestId('tile-rooms').getAttribute('data-disabled')).toBe('true');
		expect(await textOf(page, 'source-label')).toBe('@socket.io/admin-ui · production mode');

		await navigate(page, 'Servers');
		const row = page.getByTestId('server-row');
		await poll(() => row.getAttribute('data-state')).toBe('up');
		expect(await row.locator('td').nth(4).textContent()).toBe('25');

		await navigate(page, 'Sockets');
		expect(await textOf(page, 'page-disabled-reason')).toMatch(/production mode/);
		await navigate(page, 'Events');
		expect(await textOf(page, 'page-disabled-reason')).toMatch(/production mode/);
		await screenshot(page, 'admin-ui-production-sockets');
	});
});

describeBrowser('dashboard over @socket.io/admin-ui: connection problems', () => {
	const browser = useBrowser();
	const suite = useAdminUi({ login: LOGIN }, false);

	it('says so when the password is wrong, as for the native source', async () => {
		const { page } = await openPage(browser(), suite.server.dashboard);
		await login(page, 'not-the-password');
		await poll(() => page.getByTestId('login-problem').getAttribute('data-kind')).toBe(
			'auth-invalid'
		);
		expect(await textOf(page, 'login-problem')).toContain('Wrong user name or password');
	});

	it('says when the server cannot be reached, as for the native source', async () => {
		const { page } = await openPage(browser(), suite.server.dashboard);
		await page.locator('select[name=source]').selectOption('admin-ui');
		await page.locator('input[name=server]').fill('http://127.0.0.1:9');
		await page.getByRole('button', { name: 'Connect' }).click();
		await poll(() => page.getByTestId('login-problem').getAttribute('data-kind')).toBe(
			'unreachable'
		);
		expect(await textOf(page, 'login-problem')).toContain('The server cannot be reached.');
	});
});
