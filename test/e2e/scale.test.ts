/**
 * The sockets page with 5,000 sockets: it opens on its first page and scrolls to the end through
 * keyset pages without freezing. Times are printed for the record, never asserted.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openPage } from '../support/browser.js';
import { poll, textOf, useBrowser } from './helpers.js';
import {
	connectClients,
	disconnectAll,
	startChatServer,
	type ChatClient,
	type ChatServer
} from './server.js';

const COUNT = 5000;

describeBrowser('dashboard at scale', () => {
	const browser = useBrowser();
	let server: ChatServer;
	let clients: ChatClient[] = [];

	beforeAll(async () => {
		server = await startChatServer({ sampleInterval: 1000 });
		const started = Date.now();
		for (let i = 0; i < 10; i++) {
			clients = clients.concat(await connectClients(server.url, '/chat', `room-${i}`, COUNT / 10));
		}
		console.log(`scale: ${clients.length} sockets connected in ${Date.now() - started} ms`);
	}, 180_000);

	afterAll(async () => {
		disconnectAll(clients);
		await server?.close();
	}, 60_000);

	it(`opens and scrolls the sockets page with ${COUNT} sockets`, async () => {
		const { page, errors } = await openPage(browser(), `${server.dashboard}#/sockets`);
		// Since navigation started: loading the page, connecting, the snapshot, the first page.
		const firstRow = () =>
			document.querySelector('[data-testid=socket-row]') ? performance.now() : 0;
		const cold = await (
			await page.waitForFunction(firstRow, null, { timeout: 20_000 })
		).jsonValue();
		await poll(() => textOf(page, 'sockets-total')).toBe(String(COUNT));
		// From the overview, already connected: the page's own first query and render.
		await page.getByRole('link', { name: 'Overview' }).click();
		await page.getByTestId('tile-sockets').waitFor();
		const clicked = await page.evaluate(() => performance.now());
		await page.getByRole('link', { name: 'Sockets' }).click();
		const warm = (await (await page.waitForFunction(firstRow)).jsonValue()) - clicked;

		// Scroll to the end in steps, as a wheel or a dragged scrollbar would, recording the longest
		// gap between animation frames meanwhile: a frozen page shows up as one long gap.
		const grid = page.getByRole('grid', { name: 'Sockets' });
		await page.evaluate(() => {
			const w = window as unknown as { longestFrame: number };
			w.longestFrame = 0;
			let last = performance.now();
			const loop = (now: number) => {
				w.longestFrame = Math.max(w.longestFrame, now - last);
				last = now;
				requestAnimationFrame(loop);
			};
			requestAnimationFrame(loop);
		});
		const scrolled = Date.now();
		for (let step = 1; step <= 20; step++) {
			await grid.evaluate((el, f) => (el.scrollTop = el.scrollHeight * f), step / 20);
			await page.waitForTimeout(100);
		}
		await poll(() => textOf(page, 'sockets-loaded'), 30_000).toBe(String(COUNT));
		const lastRow = page.locator('[data-testid=socket-row]').last();
		await lastRow.waitFor();
		const toEnd = Date.now() - scrolled;
		const longestFrame = await page.evaluate(
			() => (window as unknown as { longestFrame: number }).longestFrame
		);
		console.log(
			`scale: ${COUNT} sockets — first rows ${Math.round(cold)} ms after navigation (cold), ${Math.round(warm)} ms after clicking Sockets (connected); ` +
				`all ${COUNT} rows loaded by scrolling in ${toEnd} ms; longest frame while scrolling ${Math.round(longestFrame)} ms`
		);
		expect(await page.locator('[data-testid=socket-row]').count()).toBeLessThan(100);
		expect(errors).toEqual([]);
	}, 120_000);
});
