/**
 * The Events page over the demo with 2,000 bots (`sockscope bots`, in a process of their own) in its
 * four namespaces: second by second of the agent's log, the page shows one row for each distinct
 * (namespace, direction, event) the server received, sent or broadcast in that second, with how
 * many times it happened, and nothing more: never a row per recipient of a broadcast. What the
 * server did is taken by the test's own hooks on socket.io (traffic-tap.ts), not from the agent.
 * It runs alone (vitest.isolated.config.ts): beside another file, its host starves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Namespace } from 'socket.io';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openPage } from '../support/browser.js';
import { startDemo, type DemoFixture } from '../support/demo-fixture.js';
import { tapTraffic, type TrafficTap } from '../support/traffic-tap.js';
import { poll, textOf, useBrowser } from './helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const BOTS = 2000;
/** Whole seconds of the log to hold against the server's traffic. */
const SECONDS = 6;

describeBrowser('events page at scale', () => {
	const browser = useBrowser();
	let demo: DemoFixture;
	let bots: ChildProcess;
	let tap: TrafficTap;
	const sockets = () => {
		let n = 0;
		for (const nsp of namespaces().values()) if (nsp.name !== '/sockscope') n += nsp.sockets.size;
		return n;
	};
	const namespaces = () => (demo.server.io as unknown as { _nsps: Map<string, Namespace> })._nsps;

	beforeAll(async () => {
		demo = await startDemo({ instrument: { auth: false, sampleInterval: 1000 } });
		tap = tapTraffic(demo.server.io, '/sockscope');
		bots = spawn(
			process.execPath,
			['bin/sockscope.js', 'bots', '--url', demo.server.url, '--count', String(BOTS)],
			{ cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] }
		);
		const started = Date.now();
		// Reconnecting bots are briefly away: most of them is enough.
		for (let waits = 1; sockets() < BOTS * 0.95; waits++) {
			if (bots.exitCode !== null) throw new Error(`the bots exited with code ${bots.exitCode}`);
			await new Promise((resolve) => setTimeout(resolve, 500));
			// Should the hook time out, how far the bots had come says why.
			if (waits % 40 === 0)
				console.log(`events at scale: ${sockets()} bots after ${Date.now() - started} ms`);
		}
		console.log(`events at scale: ${sockets()} bots connected in ${Date.now() - started} ms`);
	}, 180_000);

	afterAll(async () => {
		if (bots?.exitCode === null) {
			const exited = new Promise((resolve) => bots.once('exit', resolve));
			bots.kill('SIGTERM');
			await exited;
		}
		await demo?.close();
	}, 60_000);

	it(`shows each event of each second once, with its count, over ${BOTS} bots`, async () => {
		const { page, errors } = await openPage(browser(), `${demo.server.url}/sockscope/#/events`, {
			width: 1280,
			height: 2000
		});
		// No budget of its own: beside a second suite the first entry once took more than 30 s to
		// come from a host serving 2,000 bots; the test's timeout bounds the wait.
		await page.locator('[data-testid=log-entry]').first().waitFor({ timeout: 0 });
		// The second under way when the page subscribed began before it: only later ones are whole.
		const first = tap.seconds.length;
		await poll(() => tap.seconds.length, 30_000).toBeGreaterThanOrEqual(first + SECONDS + 1);
		await page.getByTestId('log-pause').click();

		// The list is virtual: scroll it through to read every row.
		const grid = page.getByRole('grid', { name: 'Event log' });
		const rows = new Map<string, { count: number; target: string }>();
		const height = await grid.evaluate((el) => el.scrollHeight);
		for (let top = 0; top <= height; top += 1000) {
			await grid.evaluate((el, y) => (el.scrollTop = y), top);
			await page.waitForFunction(() => new Promise((r) => requestAnimationFrame(() => r(true))));
			const seen = await page.locator('[data-testid=log-entry]').evaluateAll((els) =>
				els.map((el) => ({
					id: `${el.getAttribute('data-key')}|${el.getAttribute('data-t')}`,
					count: Number(el.getAttribute('data-count')),
					target: el.querySelector('[data-testid=log-target]')?.textContent?.trim() ?? ''
				}))
			);
			for (const { id, ...row } of seen) rows.set(id, row);
		}

		// The whole seconds the page shows (the agent's batches, told apart by the rows' own times).
		const idOf = (e: {
			namespace: string;
			direction: string;
			broadcast?: unknown;
			event: string;
			t: number;
		}) => `${e.namespace} ${e.broadcast ? 'broadcast' : e.direction} ${e.event}|${e.t}`;
		const shown = tap.seconds
			.slice(first)
			.filter(({ batch }) => batch.entries.every((e) => rows.has(idOf(e))));
		expect(shown.length).toBeGreaterThanOrEqual(SECONDS);
		const names = [...namespaces().keys()].filter((n) => n !== '/sockscope');
		let widest = 0;
		for (const [i, { batch, events }] of shown.entries()) {
			const onPage = batch.entries.map((e) => ({
				key: idOf(e).split('|')[0],
				...rows.get(idOf(e))!
			}));
			// One row per distinct event the server handled that second, with how many times.
			expect(onPage.map((r) => r.key).sort(), `second ${i}`).toEqual([...events.keys()].sort());
			for (const row of onPage)
				expect(row.count, `${row.key}, second ${i}`).toBe(events.get(row.key));
			expect(batch.dropped).toBe(0);
			// Every namespace is busy every second: the demo's events of all four are there.
			for (const name of names)
				expect(
					onPage.some((r) => r.key.startsWith(`${name} `)),
					`${name}, second ${i}`
				).toBe(true);
			for (const row of onPage.filter((r) => r.key.includes(' broadcast '))) {
				// As shown: "1,234 deliveries", or compact from ten thousand ("12K deliveries").
				const shownAs = /([\d.,]+)([KM]?) deliveries/.exec(row.target);
				expect(shownAs, `${row.key}: "${row.target}"`).not.toBeNull();
				const [, digits, unit] = shownAs!;
				const deliveries =
					Number(digits.replace(/,/g, '')) * (unit === 'M' ? 1e6 : unit === 'K' ? 1e3 : 1);
				widest = Math.max(widest, deliveries);
			}
		}
		// Broadcasts reach many sockets, and are still one row each second.
		expect(widest).toBeGreaterThan(100);
		const every = [...shown[0].events.keys()].filter((k) => shown.every((s) => s.events.has(k)));
		console.log(
			`events at scale: ${shown.length} seconds, ${every.length} events in every one, ` +
				`${Math.max(...shown.map((s) => s.batch.entries.length))} rows a second at most, ` +
				`${Math.max(...shown.map((s) => [...s.events.values()].reduce((a, b) => a + b, 0)))} events, ` +
				`the widest broadcast ${widest} deliveries`
		);
		expect(await textOf(page, 'log-dropped')).toBe('0 dropped');
		expect(errors).toEqual([]);
	}, 120_000);
});
