/**
 * Time ranges and chart words, in Chromium against a real chat server: dragging across a chart
 * zooms every time chart of the page (and the reset control returns to the range), the range
 * picker shows an absolute span from the agent's history, an empty chart says so, the Namespaces
 * page charts its namespaces, and kicks at one moment are one marker naming them, with reasons.
 */
import type { Page } from 'playwright-core';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import type { Ack } from '../../server/protocol/models.js';
import { describeBrowser, openPage } from '../support/browser.js';
import { chatter, navigate, poll, textOf, useBrowser } from './helpers.js';
import {
	connectClients,
	disconnectAll,
	startChatServer,
	type ChatClient,
	type ChatServer
} from './server.js';

/** The window the page's readout states, in the agent's clock: both ends read in one go. */
function shownWindow(page: Page): Promise<{ min: number; max: number }> {
	return page
		.getByTestId('range-readout')
		.first()
		.evaluate((el: HTMLElement) => ({ min: Number(el.dataset.min), max: Number(el.dataset.max) }));
}

/** A loaded machine's patience: a page and its charts can take tens of seconds to come. */
const PATIENCE = { timeout: 90_000 };
const LOADED = 30_000;

describeBrowser('time ranges, zoom and chart words', () => {
	const browser = useBrowser();
	/** Each test's page, closed when it ends: a dashboard left open goes on taking every sample. */
	async function open(url: string) {
		const opened = await openPage(browser(), url);
		onTestFinished(() => opened.context.close());
		return opened;
	}
	let server: ChatServer;
	let clients: ChatClient[];
	let stop: () => void;
	let started: number;

	beforeAll(async () => {
		started = Date.now();
		server = await startChatServer();
		clients = await connectClients(server.url, '/chat', 'lobby', 3);
		stop = chatter(clients);
	});

	afterAll(async () => {
		stop?.();
		disconnectAll(clients);
		await server?.close();
	});

	it('zooms every time chart by a drag across one, and resets to the range', PATIENCE, async () => {
		const { page, errors } = await open(`${server.dashboard}#/?range=1m`);
		await poll(() => textOf(page, 'history-kept'), LOADED).toBe(
			'history kept: 15 min at 250 ms, 6 h at 2.5 s'
		);
		const span = async () => {
			const { min, max } = await shownWindow(page);
			return max - min;
		};
		await poll(span).toBe(60_000);
		// A range named in the URL is loaded once connected, not asked for before (and failed).
		const sockets = page.locator('.panel', { hasText: 'Sockets by namespace' });
		expect(await sockets.locator('header').textContent()).not.toContain('History unavailable');

		const chart = page.getByRole('img', { name: 'Connects and disconnects per second' });
		const box = (await chart.boundingBox())!;
		const y = box.y + box.height * 0.4;
		await page.mouse.move(box.x + box.width * 0.5, y);
		await page.mouse.down();
		await page.mouse.move(box.x + box.width * 0.8, y, { steps: 5 });
		await page.mouse.up();

		await poll(() => page.getByTestId('reset-zoom').count()).toBe(1);
		const zoomed = await shownWindow(page);
		// About 30 % of the minute (the plot is a little narrower than its box).
		expect(zoomed.max - zoomed.min).toBeGreaterThan(5_000);
		expect(zoomed.max - zoomed.min).toBeLessThan(30_000);
		expect(page.url()).toContain(`from=${zoomed.min}`);
		// A span, no longer the range ending now: no preset is pressed.
		expect(
			await page.getByRole('button', { name: '1m', exact: true }).getAttribute('aria-pressed')
		).toBe('false');

		await page.getByTestId('reset-zoom').click();
		await poll(() => page.getByTestId('reset-zoom').count()).toBe(0);
		await poll(span).toBe(60_000);
		expect(page.url()).not.toContain('from=');
		expect(errors).toEqual([]);
	});

	it('shows an absolute span picked by its ends, from the history', PATIENCE, async () => {
		const from = Math.ceil(started / 1000) * 1000 + 1000;
		const to = from + 4000;
		const { page, errors } = await open(server.dashboard);
		// The span must be history before it is asked for: wait until the live window passes it.
		await poll(async () => (await shownWindow(page)).max, 30_000).toBeGreaterThan(to + 1000);

		await page.getByTestId('range-picker-toggle').click();
		const local = (t: number) =>
			page.evaluate((t) => {
				const d = new Date(t);
				const pad = (n: number) => String(n).padStart(2, '0');
				return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
			}, t);
		// Ends reversed: refused with the reason, nothing asked.
		await page.getByTestId('range-from').fill(await local(to));
		await page.getByTestId('range-to').fill(await local(from));
		await page.getByTestId('range-apply').click();
		await poll(() => textOf(page, 'range-problem')).toBe('The end must come after the start.');

		await page.getByTestId('range-from').fill(await local(from));
		await page.getByTestId('range-to').fill(await local(to));
		await page.getByTestId('range-apply').click();
		await poll(() => shownWindow(page)).toEqual({ min: from, max: to });
		const clock = (t: number) => new Date(t).toTimeString().slice(0, 8);
		expect(await textOf(page, 'range-readout')).toBe(`${clock(from)} – ${clock(to)}`);
		// The sockets of those seconds, from the agent's history: the chart is not empty.
		const sockets = page.locator('.panel', { hasText: 'Sockets by namespace' });
		await poll(() => sockets.getByRole('img').count()).toBe(1);
		expect(await sockets.getByTestId('chart-empty').count()).toBe(0);
		// Fixed: a live sample later, the window has not moved.
		await poll(() => textOf(page, 'tile-events-in-value')).not.toBe('0');
		expect(await shownWindow(page)).toEqual({ min: from, max: to });
		expect(errors).toEqual([]);
	});

	it('says an empty chart has no data in its range', PATIENCE, async () => {
		const { page } = await open(server.dashboard);
		// Nothing refused on this server: the failed connections chart has no series.
		const failures = page.locator('.panel', { hasText: 'Failed connections /s' });
		await poll(() => failures.getByTestId('chart-empty').textContent(), LOADED).toBe(
			'No data in this range'
		);
		const sockets = page.locator('.panel', { hasText: 'Sockets by namespace' });
		await poll(() => sockets.getByRole('img').count()).toBe(1);
		expect(await sockets.getByTestId('chart-empty').count()).toBe(0);
	});

	it("charts the Namespaces page's namespaces over time", PATIENCE, async () => {
		const { page, errors } = await open(server.dashboard);
		await poll(() => page.getByRole('link', { name: 'Namespaces' }).count(), LOADED).toBe(1);
		await navigate(page, 'Namespaces');
		const charts = page.getByTestId('namespace-charts');
		await poll(
			() => charts.getByRole('img', { name: /^Sockets of .*\/chat/ }).count(),
			LOADED
		).toBe(1);
		await poll(() => charts.getByRole('img', { name: /^Events in \/s of .*\/chat/ }).count()).toBe(
			1
		);
		expect(await charts.getByTestId('chart-empty').count()).toBe(0);
		expect(await textOf(page, 'history-kept')).toMatch(/^history kept: 15 min/);
		expect(errors).toEqual([]);
	});

	it(
		'groups kicks at one moment into one marker naming them, with their reasons',
		PATIENCE,
		async () => {
			const victims = await connectClients(server.url, '/chat', 'victims', 3);
			const ids = victims.map((v) => v.socket.id!);
			const admin: ClientSocket = connect(`${server.url}/sockscope`, {
				forceNew: true,
				reconnection: false,
				transports: ['websocket']
			});
			try {
				await new Promise((resolve) => admin.once('state:snapshot', resolve));
				const kicks = await Promise.all(
					ids.map(
						(id) =>
							admin.timeout(5000).emitWithAck('socket:disconnect', {
								namespace: '/chat',
								id,
								reason: 'flooding the lobby'
							}) as Promise<Ack<unknown>>
					)
				);
				expect(kicks.every((k) => 'data' in k)).toBe(true);
			} finally {
				admin.disconnect();
			}

			const { page, errors } = await open(server.dashboard);
			const group = page.locator('[data-testid="chart-marker"][data-count="3"]').first();
			await poll(() => group.count(), LOADED).toBe(1);
			expect(await group.getAttribute('aria-label')).toMatch(/^3 kicks: /);
			await group.hover();
			await poll(() => group.locator('.tip').isVisible()).toBe(true);
			const tip = (await group.locator('.tip').textContent()) ?? '';
			expect(tip).toContain('reason: flooding the lobby');
			for (const id of ids) expect(tip).toContain(`socket ${id}`);

			// Named for what it does; unchecking it takes the markers off the charts.
			const toggle = page.getByLabel('Show admin actions on charts');
			expect(await toggle.isChecked()).toBe(true);
			await toggle.uncheck();
			await poll(() => page.getByTestId('chart-marker').count()).toBe(0);
			await toggle.check();
			await poll(() => group.count()).toBe(1);
			expect(errors).toEqual([]);
		}
	);
});
