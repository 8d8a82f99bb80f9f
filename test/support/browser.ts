/**
 * A real Chromium for end-to-end tests: Debian's `/usr/bin/chromium`, driven by playwright-core.
 * Without it a suite is skipped with one line, except under CI where a missing browser fails.
 */
import { existsSync } from 'node:fs';
import {
	chromium,
	type Browser,
	type BrowserContext,
	type BrowserContextOptions,
	type Page
} from 'playwright-core';
import { describe } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
const INSTALL_HINT = 'chromium not found: apt-get install -y chromium';

const ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync'
];

export const hasChromium = existsSync(CHROMIUM);

/** `describe` when Chromium is installed; otherwise the suite is skipped (or fails under CI). */
export function describeBrowser(name: string, body: () => void): void {
	if (hasChromium) {
		describe(name, body);
		return;
	}
	if (process.env.CI) throw new Error(INSTALL_HINT);
	console.warn(INSTALL_HINT);
	describe.skip(name, body);
}

export function launchBrowser(): Promise<Browser> {
	return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

export interface OpenedPage {
	page: Page;
	context: BrowserContext;
	/** Uncaught exceptions and console errors of the page, to assert there were none. */
	errors: string[];
}

/**
 * A fresh context (no shared storage) and page at `url`, 1280×800 unless told otherwise;
 * `options` adds to the context's (e.g. `httpCredentials` for an app's Basic auth).
 */
export async function openPage(
	browser: Browser,
	url: string,
	viewport = { width: 1280, height: 800 },
	options: BrowserContextOptions = {}
): Promise<OpenedPage> {
	const context = await browser.newContext({ ...options, viewport, colorScheme: 'light' });
	const page = await context.newPage();
	const errors: string[] = [];
	page.on('pageerror', (err) => errors.push(err.message));
	page.on('console', (msg) => {
		if (msg.type() === 'error') errors.push(msg.text());
	});
	// No navigation budget of its own: a host busy with thousands of bots, on a machine running a
	// second suite, took longer than playwright's 30 s to serve the page; the test's timeout bounds it.
	await page.goto(url, { timeout: 0 });
	return { page, context, errors };
}
