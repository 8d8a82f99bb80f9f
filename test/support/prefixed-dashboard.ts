/**
 * The operator's walk through a proxy that strips a path prefix, in a real Chromium: open the
 * dashboard under the prefix, log in, open the Sockets page and find the app's sockets, with every
 * request the page makes (its files, its config, socket.io) inside the prefix.
 */
import type { Browser, BrowserContextOptions } from 'playwright-core';
import { expect } from 'vitest';
import { openPage } from './browser.js';

export interface PrefixedLogin {
	/** The proxy's origin, e.g. `http://127.0.0.1:8080`. */
	origin: string;
	/** The path the proxy strips, e.g. `/app2`. */
	prefix: string;
	user: string;
	password: string;
	/** The sockets the app has, which the Sockets page must list. */
	sockets: number;
	/** The app's own Basic credentials, when its middleware guards the dashboard. */
	httpCredentials?: BrowserContextOptions['httpCredentials'];
}

export async function expectPrefixedDashboard(
	browser: Browser,
	login: PrefixedLogin
): Promise<void> {
	const { origin, prefix } = login;
	const { page, context, errors } = await openPage(
		browser,
		`${origin}${prefix}/sockscope`,
		undefined,
		login.httpCredentials ? { httpCredentials: login.httpCredentials } : {}
	);
	const requested: string[] = [];
	page.on('request', (request) => requested.push(new URL(request.url()).pathname));
	page.on('websocket', (socket) => requested.push(new URL(socket.url()).pathname));
	try {
		expect(new URL(page.url()).pathname).toBe(`${prefix}/sockscope/`);
		await page.locator('input[name=user]').fill(login.user);
		await page.locator('input[name=password]').fill(login.password);
		await page.getByRole('button', { name: 'Connect' }).click();
		await page
			.getByRole('navigation', { name: 'Pages' })
			.getByRole('link', { name: 'Sockets' })
			.click();
		await expect
			.poll(() => page.getByTestId('socket-row').count(), { timeout: 20_000, interval: 100 })
			.toBe(login.sockets);
		expect(requested.filter((path) => !path.startsWith(`${prefix}/`))).toEqual([]);
		expect(requested.some((path) => path.startsWith(`${prefix}/socket.io/`))).toBe(true);
		expect(errors).toEqual([]);
	} finally {
		await context.close();
	}
}
