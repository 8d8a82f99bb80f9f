/** What the dashboard suites share: one browser per file, screenshots, the agent's features. */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Feature, Snapshot } from '../../server/protocol/models.js';
import { launchBrowser } from '../support/browser.js';
import type { ChatClient } from './server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Where `screenshot()` writes: an ignored folder, so a test run leaves the tree clean; the README's
 * pictures in `docs/screenshots` are retaken on purpose, by `npm run screenshots`, which sets
 * SOCKSCOPE_SCREENSHOTS.
 */
export const SCREENSHOTS = resolve(
	ROOT,
	process.env.SOCKSCOPE_SCREENSHOTS || 'test-results/screenshots'
);

/** Launches Chromium before the file's tests and closes it after; call inside the suite. */
export function useBrowser(): () => Browser {
	let browser: Browser | undefined;
	beforeAll(async () => {
		browser = await launchBrowser();
	});
	afterAll(async () => {
		await browser?.close();
	});
	return () => browser!;
}

/** Saves `<SCREENSHOTS>/<name>.png` of the viewport. */
export async function screenshot(page: Page, name: string): Promise<void> {
	mkdirSync(SCREENSHOTS, { recursive: true });
	await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** The features the agent at `url` announces, read from a snapshot as a dashboard would. */
export async function agentFeatures(
	url: string,
	auth: Record<string, unknown> = {}
): Promise<Feature[]> {
	const socket = connect(`${url}/sockscope`, {
		forceNew: true,
		reconnection: false,
		transports: ['websocket'],
		auth
	});
	try {
		const snapshot = await new Promise<Snapshot>((resolve, reject) => {
			socket.once('state:snapshot', resolve);
			socket.once('connect_error', reject);
		});
		return snapshot.features;
	} finally {
		socket.disconnect();
	}
}

/** Clients chatting every `ms`, so charts and the event log have something to show. */
export function chatter(clients: ChatClient[], ms = 150): () => void {
	let i = 0;
	const timer = setInterval(() => {
		const client = clients[i++ % clients.length];
		if (client.socket.connected) client.socket.emit('message', `hello ${i}`);
	}, ms);
	return () => clearInterval(timer);
}

/** The text of a test id, trimmed, for `expect.poll`. */
export async function textOf(page: Page, testId: string): Promise<string> {
	return ((await page.getByTestId(testId).first().textContent({ timeout: 2000 })) ?? '').trim();
}

/** Goes to a dashboard page through its navigation link, as a user would. */
/** Follows a link of the side bar, and waits until its page is the one shown. */
export async function navigate(page: Page, label: string): Promise<void> {
	const link = page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: label });
	const path = ((await link.getAttribute('href')) ?? '').replace(/^#/, '').split('?')[0];
	await link.click();
	// On a loaded machine the next page's code may take seconds to come: what the test does next
	// (type in a search, say) would land on the page still shown.
	await page.waitForURL((url) => (url.hash.replace(/^#/, '').split('?')[0] || '/') === (path || '/'), {
		timeout: 0
	});
}

/** `expect.poll` with the patience of a live dashboard: samples, refreshes and reconnects take seconds. */
export function poll<T>(fn: () => Promise<T> | T, timeout = 8000) {
	return expect.poll(fn, { timeout, interval: 100 });
}
