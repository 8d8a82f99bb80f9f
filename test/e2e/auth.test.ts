/**
 * Logging in: wrong passwords, rate limits, unreachable servers and foreign protocol versions are
 * explained; a session survives a reload; read-only and tenant-scoped users see only what they may.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import bcrypt from 'bcryptjs';
import type { Page } from 'playwright-core';
import { Server } from 'socket.io';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { UserOptions } from '../../server/agent/options.js';
import { describeBrowser, openPage } from '../support/browser.js';
import { navigate, poll, screenshot, textOf, useBrowser } from './helpers.js';
import {
	connectClients,
	disconnectAll,
	startChatServer,
	type ChatClient,
	type ChatServer
} from './server.js';

function user(name: string, role: UserOptions['role'], namespaces?: string[]): UserOptions {
	return {
		name,
		passwordHash: bcrypt.hashSync(`${name}-pw`, 4),
		role,
		...(namespaces ? { namespaces } : {})
	};
}

async function login(
	page: Page,
	name: string,
	password = `${name}-pw`,
	server?: string
): Promise<void> {
	if (server) await page.locator('input[name=server]').fill(server);
	await page.locator('input[name=user]').fill(name);
	await page.locator('input[name=password]').fill(password);
	await page.getByRole('button', { name: 'Connect' }).click();
}

describeBrowser('dashboard login', () => {
	const browser = useBrowser();
	let server: ChatServer;
	let clients: ChatClient[];

	beforeAll(async () => {
		server = await startChatServer({
			auth: {
				users: [
					user('admin', 'admin'),
					user('viewer', 'readonly'),
					user('tenant', 'admin', ['/news'])
				],
				maxFailedLogins: 4
			}
		});
		clients = [
			...(await connectClients(server.url, '/chat', 'lobby', 5)),
			...(await connectClients(server.url, '/news', 'sports', 3))
		];
	});

	afterAll(async () => {
		disconnectAll(clients);
		await server?.close();
	});

	it('says so when the password is wrong', async () => {
		const { page } = await openPage(browser(), server.dashboard);
		await page.locator('input[name=user]').waitFor();
		await screenshot(page, 'login');
		await login(page, 'admin', 'not-the-password');
		await poll(() => page.getByTestId('login-problem').getAttribute('data-kind')).toBe(
			'auth-invalid'
		);
		expect(await textOf(page, 'login-problem')).toContain('Wrong user name or password');
	});

	it('keeps the session across a reload, with the token instead of the password', async () => {
		const { page } = await openPage(browser(), server.dashboard);
		await login(page, 'admin');
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('8');
		const stored = await page.evaluate(() =>
			Object.keys(sessionStorage).filter((k) => k.startsWith('sockscope.session'))
		);
		expect(stored).toHaveLength(1);
		await page.reload();
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('8');
		expect(await page.locator('input[name=password]').count()).toBe(0);
	});

	it('shows a read-only user no action buttons', async () => {
		const { page } = await openPage(browser(), `${server.dashboard}#/sockets`);
		await login(page, 'viewer');
		await poll(() => textOf(page, 'sockets-total')).toBe('8');
		await page.getByTestId('socket-row').first().click();
		await page.getByTestId('detail-rooms').waitFor();
		expect(await page.getByTestId('row-kick').count()).toBe(0);
		expect(
			await page
				.getByTestId('socket-detail')
				.getByRole('button', { name: /kick|move|join|leave|send/i })
				.count()
		).toBe(0);
		await page.goto(`${server.dashboard}#/rooms?room=lobby&rns=${encodeURIComponent('/chat')}`);
		await poll(() => textOf(page, 'room-detail-size')).toBe('5');
		expect(await page.getByTestId('room-move').count()).toBe(0);
		expect(await page.getByTestId('room-disconnect').count()).toBe(0);
	});

	it('shows a tenant only its own namespace', async () => {
		const { page } = await openPage(browser(), server.dashboard);
		await login(page, 'tenant');
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('3');
		await navigate(page, 'Namespaces');
		await poll(() =>
			page
				.getByTestId('namespace-row')
				.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-namespace')))
		).toEqual(['/news']);
		await navigate(page, 'Sockets');
		await poll(() => textOf(page, 'sockets-total')).toBe('3');
		expect(await page.getByTestId('row-kick').count()).toBe(3);
	});

	it('tells a tenant that failed connections and the fault count are hidden by its scope', async () => {
		// A handshake the engine refuses belongs to no namespace: the tenant is not shown it, and
		// is told so rather than told that none failed.
		await fetch(`${server.url}/socket.io/?EIO=4&transport=carrier-pigeon`);
		const { page } = await openPage(browser(), server.dashboard);
		await login(page, 'tenant');
		await poll(() => page.getByText('Failed connections are hidden by your scope.').count()).toBe(
			2
		);
		expect(await page.getByTestId('connection-errors').count()).toBe(0);
		expect(await page.getByText('None since the agent started').count()).toBe(0);
		await navigate(page, 'Servers');
		await poll(() => textOf(page, 'faults-hidden')).toBe('hidden');
	});

	it('says when logins are rate-limited, and for how long', async () => {
		const { page } = await openPage(browser(), server.dashboard);
		for (let i = 0; i < 6; i++) {
			await login(page, 'admin', `wrong-${i}`);
			await poll(() => page.getByTestId('login-problem').getAttribute('data-kind')).toMatch(
				/auth-invalid|rate-limited/
			);
			if ((await page.getByTestId('login-problem').getAttribute('data-kind')) === 'rate-limited')
				break;
			await page.getByRole('button', { name: 'Connect' }).waitFor();
		}
		await poll(() => page.getByTestId('login-problem').getAttribute('data-kind')).toBe(
			'rate-limited'
		);
		expect(await textOf(page, 'login-problem')).toMatch(/Try again in \d+ s/);
	});
});

describeBrowser('dashboard connection problems', () => {
	const browser = useBrowser();
	let server: ChatServer;

	beforeAll(async () => {
		server = await startChatServer({ auth: { users: [user('admin', 'admin')], sessionTtl: 1 } });
	});

	afterAll(async () => {
		await server?.close();
	});

	it('goes back to the login screen once the session has expired', async () => {
		const { page } = await openPage(browser(), server.dashboard);
		await login(page, 'admin');
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('0');
		await page.waitForTimeout(1200);
		await page.reload();
		await page.locator('input[name=password]').waitFor();
	});

	it('says when the server cannot be reached', async () => {
		const { page } = await openPage(browser(), server.dashboard);
		await login(page, 'admin', 'admin-pw', 'http://127.0.0.1:9');
		await poll(() => page.getByTestId('login-problem').getAttribute('data-kind')).toBe(
			'unreachable'
		);
	});

	it('refuses an agent that speaks another protocol version', async () => {
		const http = createServer((_req, res) => res.writeHead(404).end());
		const io = new Server(http, { cors: { origin: '*' } });
		io.of('/sockscope').on('connection', (socket) =>
			socket.emit('state:snapshot', { protocol: 999 })
		);
		await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
		const { page, context } = await openPage(browser(), server.dashboard);
		try {
			const foreign = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
			await login(page, 'admin', 'admin-pw', foreign);
			await poll(() => page.getByTestId('login-problem').getAttribute('data-kind')).toBe(
				'protocol'
			);
			expect(await textOf(page, 'login-problem')).toContain('protocol version 999');
		} finally {
			await context.close();
			await new Promise<void>((resolve) => io.close(() => resolve()));
		}
	});
});
