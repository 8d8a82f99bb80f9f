/**
 * The dashboard runs under its own strict Content-Security-Policy in a real Chromium: SvelteKit's
 * inline bootstrap is allowed by hash, nothing is refused, and the page cannot be framed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openPage } from '../support/browser.js';
import { startFixture, type Fixture } from '../support/agent-fixture.js';
import { poll, textOf, useBrowser } from './helpers.js';

describeBrowser('dashboard security headers', () => {
	const browser = useBrowser();
	let f: Fixture;

	beforeAll(async () => {
		f = await startFixture({ sampleInterval: 1000 });
		await f.client('/');
	});
	afterAll(() => f?.close());

	it('loads and goes live under the CSP, with no violation', async () => {
		const response = await fetch(`${f.url}/sockscope/`);
		const csp = response.headers.get('content-security-policy') ?? '';
		expect(csp).toMatch(/script-src 'self' 'sha256-[^']+'/);
		expect(csp).not.toContain("'unsafe-eval'");
		const { page, errors } = await openPage(browser(), `${f.url}/sockscope/`);
		const violations: string[] = [];
		page.on('console', (msg) => {
			if (msg.text().includes('Content Security Policy')) violations.push(msg.text());
		});
		await poll(() => textOf(page, 'tile-sockets-value')).toBe('1');
		expect(violations).toEqual([]);
		expect(errors).toEqual([]);
		await page.context().close();
	});

	it('cannot be framed by another page', async () => {
		const framing = createServer((_req, res) =>
			res
				.writeHead(200, { 'content-type': 'text/html' })
				.end(`<title>other site</title><iframe src="${f.url}/sockscope/"></iframe>`)
		);
		await new Promise<void>((resolve) => framing.listen(0, '127.0.0.1', resolve));
		const port = (framing.address() as AddressInfo).port;
		const { page } = await openPage(browser(), `http://127.0.0.1:${port}/`);
		await page.waitForLoadState('load');
		const frame = page.frames().find((fr) => fr !== page.mainFrame());
		// A refused frame shows the browser's own error page instead of the dashboard.
		expect(frame?.url()).not.toBe(`${f.url}/sockscope/`);
		await page.context().close();
		framing.close();
	});
});
