/**
 * The dashboard on an overloaded host (issue #29): the host's event loop spins for 700 ms of every
 * second and 2,000 more sockets are connected. Every page shows that it is loading at once, shows
 * its data within 10 s (the issue's own figure, a limit to wait on, not a time measured), and the
 * login card never comes back while the session is valid, not even on a reload. Times are printed
 * for the record, never asserted.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openPage } from '../support/browser.js';
import { startCrowd, type Crowd } from '../support/crowd.js';
import { BUSY_PASSWORD, BUSY_USER, startBusyHost, type BusyHost } from './busy-host.js';
import { navigate, poll, textOf, useBrowser } from './helpers.js';

const BOTS = 2000;
/** The busy host's own chat clients (busy-host.ts), beside the bots. */
const TOTAL = BOTS + 13;
/** How long the issue allows a page to show its data on this host. */
const DATA_WITHIN = 10_000;

const LOGIN = 'main.login';
const LOADING = '[data-testid=page-loading]';
const STALLED = '[data-testid=stale-banner]';

/**
 * Notes, in every document the page loads, which of `LOGIN` and `LOADING` were ever on screen
 * since the last `forget`: a loading state shown for one frame is seen too, whatever the test's
 * own lateness.
 */
function recordSeen(selectors: string[]): void {
	const seen = new Set<string>();
	(window as unknown as { __seen: Set<string> }).__seen = seen;
	const look = () => {
		for (const s of selectors) if (document.querySelector(s)) seen.add(s);
	};
	new MutationObserver(look).observe(document, {
		childList: true,
		subtree: true,
		attributes: true
	});
}

const seen = (page: Page) =>
	page.evaluate(() => [...(window as unknown as { __seen: Set<string> }).__seen]);
const forget = (page: Page) =>
	page.evaluate(() => (window as unknown as { __seen: Set<string> }).__seen.clear());

/** A dashboard page logged in to `host`, noting what it shows (`recordSeen`), its sockets counted. */
async function loggedIn(browser: Browser, host: BusyHost) {
	const opened = await openPage(browser, host.dashboard);
	const { page, context } = opened;
	await context.addInitScript(recordSeen, [LOGIN, LOADING, STALLED]);
	await page.reload();
	await page.locator('input[name=user]').fill(BUSY_USER);
	await page.locator('input[name=password]').fill(BUSY_PASSWORD);
	await page.getByRole('button', { name: 'Connect' }).click();
	await poll(() => textOf(page, 'tile-sockets-value'), DATA_WITHIN).toBe(String(TOTAL));
	return opened;
}

describeBrowser('dashboard on an overloaded host', () => {
	const browser = useBrowser();
	let host: BusyHost;
	let crowd: Crowd;

	beforeAll(async () => {
		host = await startBusyHost();
		crowd = startCrowd();
		await crowd.connect(host.url, BOTS, 'bot');
		await host.spin(700);
	}, 180_000);

	afterAll(() => {
		crowd?.close();
		host?.close();
	});

	it('shows each page loading at once and its data within 10 s, never the login card', async () => {
		const { page, errors } = await loggedIn(browser(), host);
		const times: string[] = [];

		/** Goes to `label`'s page: it shows that it loads (when it asks the host), then `data`. */
		const visit = async (label: string, loads: boolean, data: () => Promise<unknown>) => {
			await forget(page);
			const started = Date.now();
			await navigate(page, label);
			await poll(data, DATA_WITHIN).toBeTruthy();
			times.push(`${label} ${Date.now() - started} ms`);
			const shown = await seen(page);
			if (loads) expect(shown, `${label} shows its loading state`).toContain(LOADING);
			expect(shown, `${label} keeps the session`).not.toContain(LOGIN);
		};
		const count = (selector: string) => page.locator(selector).count();
		const text = (t: string) => page.getByText(t).count();

		await visit('Sockets', true, async () => (await count('[data-testid=socket-row]')) > 0);
		expect(await textOf(page, 'sockets-total')).toBe(String(TOTAL));
		// The bottom of the list: its rows, not placeholders, within the same limit.
		await page
			.getByRole('grid', { name: 'Sockets' })
			.evaluate((el) => (el.scrollTop = el.scrollHeight));
		const scrolled = Date.now();
		await page.locator(`#socket-row-${TOTAL - 1}`).waitFor({ timeout: DATA_WITHIN });
		times.push(`the bottom of the Sockets list ${Date.now() - scrolled} ms`);

		await visit('Disconnects', true, () => text('No disconnect matches.'));
		await visit('Rooms', true, () => count('[data-testid=room-row][data-room=lobby]'));
		await visit('Namespaces', true, () => count('[data-testid=namespace-row][data-namespace="/"]'));
		await visit('Events', true, () => count('[data-testid=log-entry]'));
		await visit('Servers', false, () => count('[data-testid=server-row]'));
		await visit('Audit', true, () => text('No commands yet.'));
		await visit(
			'Overview',
			false,
			async () => (await textOf(page, 'tile-sockets-value')) === String(TOTAL)
		);

		// A reload keeps the stored session: the page it was on shows it loads, then its data.
		// On the Events page (its URL written once its first entries show), then reloaded.
		await navigate(page, 'Events');
		await poll(() => count('[data-testid=log-entry]'), DATA_WITHIN).toBeGreaterThan(0);
		await poll(() => page.url()).toMatch(/#\/events/);
		const reloaded = Date.now();
		await page.reload();
		await poll(() => count('[data-testid=log-entry]'), DATA_WITHIN).toBeGreaterThan(0);
		expect(await page.getByRole('heading', { name: 'Events' }).count()).toBe(1);
		times.push(`Events after a reload ${Date.now() - reloaded} ms`);
		console.log(
			`overload: data shown after navigation (printed, not asserted): ${times.join(', ')}`
		);
		const shown = await seen(page);
		expect(shown, 'a reload shows its loading state').toContain(LOADING);
		expect(shown, 'a reload keeps the session').not.toContain(LOGIN);
		expect(errors).toEqual([]);
	}, 180_000);

	it('keeps the last figures, with their age, while the host sends none', async () => {
		const { page, errors } = await loggedIn(browser(), host);
		await forget(page);
		// Over four seconds without a turn of the host's event loop: no sample leaves it.
		await host.block(4500);
		await poll(async () => (await seen(page)).includes(STALLED), DATA_WITHIN).toBe(true);
		// The figures stay on screen, and the banner goes once samples arrive again.
		expect(await textOf(page, 'tile-sockets-value')).toBe(String(TOTAL));
		await poll(() => page.locator(STALLED).count(), DATA_WITHIN).toBe(0);
		expect(await seen(page)).not.toContain(LOGIN);
		expect(errors).toEqual([]);
	}, 120_000);
});
