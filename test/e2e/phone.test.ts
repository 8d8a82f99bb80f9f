/**
 * Every page on a phone (390×844): the page never scrolls sideways, every page is reachable from
 * the navigation menu, the overview's tiles show their whole labels, and wide tables scroll inside
 * their cards. The demo's chat page likewise.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PAGES } from '../../src/lib/nav.js';
import { describeBrowser, openPage } from '../support/browser.js';
import { request, startDemo, type DemoFixture } from '../support/demo-fixture.js';
import { poll, textOf, useBrowser } from './helpers.js';

const PHONE = { width: 390, height: 844 };

/** How far the page itself scrolls sideways, in pixels (0 when it fits). */
function sidewaysScroll(page: Page): Promise<number> {
	return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

describeBrowser('on a phone', () => {
	const browser = useBrowser();
	let demo: DemoFixture;

	beforeAll(async () => {
		demo = await startDemo({ instrument: { auth: false, sampleInterval: 250 } });
		for (const [namespace, room] of [
			['/', 'general'],
			['/tenant-globex', 'war-room']
		]) {
			const socket = await demo.client(namespace, { name: `phone-${room}` });
			await request(socket, 'room:join', room);
		}
	});
	afterAll(() => demo?.close());

	it('every dashboard page fits the width and is reachable from the menu', async () => {
		const { page, errors } = await openPage(browser(), `${demo.server.url}/sockscope/`, PHONE);
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('2');
		const nav = page.getByRole('navigation', { name: 'Pages' });
		for (const entry of PAGES) {
			// The links are in a menu: hidden until it is opened, closed again by choosing one.
			const link = nav.getByRole('link', { name: entry.label });
			await expect.poll(() => link.isVisible()).toBe(false);
			await page.getByTestId('nav-menu').click();
			await link.click();
			await expect.poll(() => link.isVisible()).toBe(false);
			await poll(() => page.locator('h1').first().textContent()).toBe(entry.label);
			await poll(() => sidewaysScroll(page), 3000).toBeLessThanOrEqual(0);
		}
		expect(errors).toEqual([]);
	}, 60_000);

	it('the overview wraps its tiles, each label shown whole and on screen', async () => {
		const { page } = await openPage(browser(), `${demo.server.url}/sockscope/`, PHONE);
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('2');
		const labels = await page.locator('.tile > .label').evaluateAll((nodes) =>
			nodes.map((node) => {
				const box = node.getBoundingClientRect();
				return {
					text: node.textContent,
					clipped: node.scrollWidth > node.clientWidth,
					offscreen: box.right > window.innerWidth || box.left < 0
				};
			})
		);
		expect(labels.length).toBeGreaterThan(6);
		expect(labels.filter((l) => l.clipped || l.offscreen)).toEqual([]);
		expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
	}, 30_000);

	it('the sockets table scrolls inside its card and shows whole namespaces', async () => {
		const { page } = await openPage(browser(), `${demo.server.url}/sockscope/#/sockets`, PHONE);
		await poll(() => page.getByTestId('socket-row').count()).toBe(2);
		const grid = page.getByRole('grid', { name: 'Sockets' });
		const { scrolls } = await grid.evaluate((node) => ({
			scrolls: node.scrollWidth > node.clientWidth
		}));
		expect(scrolls).toBe(true);
		const namespaces = await page
			.locator('[data-testid=socket-row] > [role=gridcell]')
			.evaluateAll((cells) =>
				cells
					.filter((c) => c.textContent!.trim().startsWith('/'))
					.map((c) => c.scrollWidth <= c.clientWidth)
			);
		expect(namespaces).toEqual([true, true]);
		expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
	}, 30_000);

	it('the demo chat page fits: rooms above the conversation, the log the full width', async () => {
		const { page, errors } = await openPage(browser(), `${demo.server.url}/`, PHONE);
		await page.getByLabel('Name', { exact: true }).fill('pocket');
		await page.getByRole('button', { name: 'Connect' }).click();
		await poll(() => page.locator('#members-title').textContent()).toMatch(/^In general/);
		await page.locator('#send input').fill('hello from a phone');
		await page.getByRole('button', { name: 'Send' }).click();
		await poll(() => page.locator('#log').textContent()).toContain('hello from a phone');
		const log = await page.locator('#log').boundingBox();
		expect(log!.x).toBeGreaterThanOrEqual(0);
		expect(log!.x + log!.width).toBeLessThanOrEqual(PHONE.width);
		expect(log!.width).toBeGreaterThan(PHONE.width * 0.8);
		expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
		expect(errors).toEqual([]);
	}, 30_000);
});
