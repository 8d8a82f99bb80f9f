/**
 * The Events page over the demo with bots: a broadcast is one row with its deliveries, identical
 * events fold into one row a second with a count, and no row is written per recipient.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBots, type Bots } from '../../server/demo/bots.js';
import { describeBrowser, openPage } from '../support/browser.js';
import { startDemo, type DemoFixture } from '../support/demo-fixture.js';
import { poll, useBrowser } from './helpers.js';

describeBrowser('events page', () => {
	const browser = useBrowser();
	let demo: DemoFixture;
	let bots: Bots;

	beforeAll(async () => {
		demo = await startDemo({ instrument: { auth: false, sampleInterval: 500 } });
		bots = startBots({
			url: demo.server.url,
			count: 120,
			rate: 120,
			hopEvery: 5,
			reconnectEvery: 10
		});
	}, 60_000);
	afterAll(async () => {
		await bots?.stop();
		await demo?.close();
	});

	it('shows each event of the demo once a second with counts, broadcasts as one row', async () => {
		const { page, errors } = await openPage(browser(), `${demo.server.url}/sockscope/#/events`);
		const grid = page.getByRole('grid', { name: 'Event log' });
		const visible = () =>
			page.locator('[data-testid=log-entry]').evaluateAll((els) =>
				els.map((el) => ({
					key: el.getAttribute('data-key')!,
					t: Number(el.getAttribute('data-t')),
					count: Number(el.getAttribute('data-count')),
					target: el.querySelector('[data-testid=log-target]')?.textContent?.trim() ?? ''
				}))
			);
		// Several seconds of traffic (the bots chat, type and move between rooms), then paused.
		await poll(
			async () => Number(await grid.getAttribute('aria-rowcount')),
			30_000
		).toBeGreaterThan(40);
		await page.getByTestId('log-pause').click();
		// The list is virtual: scroll it through to read every row.
		const all = new Map<string, Awaited<ReturnType<typeof visible>>[number]>();
		const height = await grid.evaluate((el) => el.scrollHeight);
		for (let top = 0; top <= height; top += 300) {
			await grid.evaluate((el, y) => (el.scrollTop = y), top);
			await page.waitForFunction(() => new Promise((r) => requestAnimationFrame(() => r(true))));
			for (const row of await visible()) all.set(`${row.key}|${row.t}`, row);
		}
		const seen = [...all.values()].sort((a, b) => b.t - a.t);
		const seconds = (seen[0].t - seen[seen.length - 1].t) / 1000;
		const byKey = new Map<string, typeof seen>();
		for (const row of seen) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
		// Folded: one row per event and second at most (one batch a second), however many were sent.
		for (const [key, list] of byKey)
			expect(list.length, key).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
		expect(seen.some((r) => r.count > 1)).toBe(true);
		// Broadcasts are rows of their own, with their deliveries; no event has a row per recipient.
		const broadcasts = seen.filter((r) => r.key.includes(' broadcast '));
		expect(broadcasts.length).toBeGreaterThan(0);
		expect(broadcasts.every((r) => /deliveries/.test(r.target))).toBe(true);
		const broadcastEvents = new Set(broadcasts.map((r) => r.key.replace(' broadcast ', ' out ')));
		expect(seen.filter((r) => broadcastEvents.has(r.key))).toEqual([]);
		expect(seen.length).toBeLessThanOrEqual(byKey.size * (Math.ceil(seconds) + 2));
		expect(errors).toEqual([]);
	}, 90_000);
});
