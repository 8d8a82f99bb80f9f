/**
 * A search typed while the next page is still loading (its code slow to come, over a slow network
 * or from a busy host) must not take the user back: the page being left writes its search to the
 * URL 300 ms after the last key, and that write, a navigation of its own, used to cancel the one
 * under way. A browser test beside a second suite ended on the Disconnects page so, with the
 * search meant for the Sockets page in its URL.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openPage } from '../support/browser.js';
import { navigate, useBrowser } from './helpers.js';
import { startChatServer, type ChatServer } from './server.js';

describeBrowser('leaving a page while typing in its search', () => {
	const browser = useBrowser();
	let server: ChatServer;

	beforeAll(async () => {
		server = await startChatServer();
	});

	afterAll(async () => {
		await server?.close();
	});

	it('a search typed as the next page loads neither stays behind nor brings the user back', async () => {
		const { page, errors } = await openPage(browser(), server.dashboard);
		await navigate(page, 'Disconnects');
		await page.getByLabel('Search').waitFor();
		// From now on every page's code is held back until the test lets it through.
		const held: (() => Promise<void>)[] = [];
		let holding = true;
		await page.route('**/_app/immutable/nodes/**', (route) =>
			holding ? void held.push(() => route.continue()) : route.continue()
		);
		await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Sockets' }).click();
		await expect.poll(() => held.length, { timeout: 30_000 }).toBeGreaterThan(0);
		// Still on the Disconnects page, whose search is the one on screen.
		await page.getByLabel('Search').fill('alice');
		// Past the search's 300 ms wait: written now, it would cancel the navigation. (A slower
		// machine writes later and the test passes without saying anything; it cannot fail falsely.)
		await page.waitForTimeout(1000);
		holding = false;
		for (const release of held) await release();
		await page.waitForURL((url) => url.hash.startsWith('#/sockets'), { timeout: 30_000 });
		await page.getByRole('heading', { level: 1, name: 'Sockets' }).waitFor({ timeout: 30_000 });
		expect(new URL(page.url()).hash).toBe('#/sockets');
		expect(errors).toEqual([]);
	}, 90_000);
});
