/**
 * A multi-tenant app with 10,000 dynamic namespaces × 1 socket, in Chromium: the Namespaces page
 * shows a page of them, not all, pages on, finds one by name and sorts by a column; the Overview
 * counts them all and says how many it folds.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openPage } from '../support/browser.js';
import { startFixture, type Fixture } from '../support/agent-fixture.js';
import { connectTenants, serveTenants, tenantName, type Tenants } from '../support/tenants.js';
import { navigate, poll, textOf, useBrowser } from './helpers.js';

const NAMESPACES = 10_000;

describeBrowser('Namespaces page with 10,000 dynamic namespaces', () => {
	const browser = useBrowser();
	let f: Fixture;
	let tenants: Tenants;

	beforeAll(async () => {
		f = await startFixture({ sampleInterval: 1000 }, {}, serveTenants);
		tenants = await connectTenants(f.url, NAMESPACES);
	}, 120_000);

	afterAll(async () => {
		tenants?.close();
		await f?.close();
	}, 60_000);

	const names = (page: import('playwright-core').Page) =>
		page
			.getByTestId('namespace-row')
			.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-namespace')));

	/**
	 * Clicks "Load more" until the next page came, as a user would after a refusal: on a host
	 * loaded by a second suite the click's query was once refused or late (the page shows why).
	 */
	async function loadMore(page: import('playwright-core').Page): Promise<void> {
		const more = page.getByTestId('namespaces-more');
		const error = page.locator('p.badge.bad');
		const loaded = async () => (await names(page)).length > 100;
		for (;;) {
			await more.click();
			// The answer: another page of rows, or a reason shown instead.
			await poll(async () => (await loaded()) || (await error.count()) > 0, 60_000).toBe(true);
			// Nothing under way any more (the button is enabled again): the rows are final.
			await poll(() => more.isEnabled(), 60_000).toBe(true);
			if (await loaded()) return;
			console.log(`namespaces: "Load more" refused: ${await error.textContent()}`);
		}
	}

	it('pages, finds a namespace by name and sorts', async () => {
		const { page, errors } = await openPage(browser(), `${f.url}/sockscope/`);
		// The Overview counts every namespace (and `/`), the rest folded into one band.
		await poll(() => textOf(page, 'tile-namespaces-value'), 20_000).toBe(String(NAMESPACES + 1));
		expect(await page.getByTestId('tile-namespaces').textContent()).toContain('more');

		await navigate(page, 'Namespaces');
		await poll(() => textOf(page, 'namespaces-total'), 20_000).toBe(
			(NAMESPACES + 1).toLocaleString('en')
		);
		// One page, not every namespace.
		await poll(async () => (await names(page)).length).toBe(100);
		await loadMore(page);
		expect((await names(page)).length).toBe(200);

		const wanted = tenantName(4321);
		await page.getByTestId('filter-q').fill(wanted.slice(1));
		await poll(() => names(page)).toEqual([wanted]);
		await poll(() => textOf(page, 'namespaces-total')).toBe('1');
		const row = page.locator(`[data-namespace="${wanted}"]`);
		expect(await row.getByTestId('namespace-sockets').textContent()).toContain('1');

		await page.getByTestId('filter-q').fill('');
		await poll(async () => (await names(page)).length).toBe(100);
		// By name, from the end: the last tenant first.
		await page.getByRole('button', { name: /^Namespace/ }).click();
		await poll(async () => (await names(page))[0]).toBe('/');
		await page.getByRole('button', { name: /^Namespace/ }).click();
		await poll(async () => (await names(page)).slice(0, 2)).toEqual([
			tenantName(NAMESPACES - 1),
			tenantName(NAMESPACES - 2)
		]);
		expect(errors).toEqual([]);
	}, 120_000);
});
