/**
 * An operator's actions as the demo's own users see them: a move from the dashboard changes the
 * room the chat page shows, a kick's reason reaches the chat page and the Audit page, and an
 * export of the Sockets page holds exactly the sockets its filter shows, with the texts its clients
 * chose written so that a spreadsheet reads them as text, never as formulas.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openPage } from '../support/browser.js';
import { request, startDemo, type DemoFixture } from '../support/demo-fixture.js';
import { poll, textOf, useBrowser } from './helpers.js';

const ROOT = encodeURIComponent('/');

describeBrowser('operator actions over the demo', () => {
	const browser = useBrowser();
	let demo: DemoFixture;

	beforeAll(async () => {
		demo = await startDemo({ instrument: { auth: false, sampleInterval: 250 } });
		for (const [namespace, room, count] of [
			['/', 'general', 2],
			['/tenant-globex', 'war-room', 3],
			['/tenant-acme', 'rockets', 1]
		] as const) {
			for (let i = 0; i < count; i++) {
				const socket = await demo.client(namespace, { name: `${room}-${i}` });
				await request(socket, 'room:join', room);
			}
		}
	});
	afterAll(() => demo?.close());

	/** The demo's chat page, connected as `name` to the default namespace, in `general`. */
	async function chatAs(name: string): Promise<{ page: Page; id: string }> {
		const { page } = await openPage(browser(), `${demo.server.url}/`);
		await page.getByLabel('Name', { exact: true }).fill(name);
		await page.getByRole('button', { name: 'Connect' }).click();
		await poll(() => page.locator('#members-title').textContent()).toMatch(/^In general/);
		const socket = [...demo.server.io.of('/').sockets.values()].find((s) => s.data.name === name);
		return { page, id: socket!.id };
	}

	it('a move from the dashboard changes the room shown on the chat page', async () => {
		const chat = await chatAs('mover');
		const { page } = await openPage(
			browser(),
			`${demo.server.url}/sockscope/#/sockets?ns=${ROOT}&socket=${chat.id}&sns=${ROOT}`
		);
		await page.getByTestId('detail-move').click();
		await page.getByTestId('move-from').selectOption('general');
		await page.getByTestId('move-to').fill('random');
		expect(await textOf(page, 'move-told')).toContain('sockscope:moved');
		await page.getByTestId('dialog-confirm').click();

		await poll(() => chat.page.locator('#members-title').textContent()).toMatch(/^In random/);
		await poll(() => chat.page.locator('#rooms [aria-current] span').first().textContent()).toBe(
			'random'
		);
		// The app's own state followed: a message now goes to `random`.
		const [socket] = await demo.server.io.of('/').in(chat.id).fetchSockets();
		expect(socket.data.room).toBe('random');
	});

	it('a kick with a reason shows the reason on the chat page and in the audit trail', async () => {
		const chat = await chatAs('kicked');
		const { page } = await openPage(browser(), `${demo.server.url}/sockscope/#/sockets?ns=${ROOT}`);
		await page.locator(`[data-socket-id="${chat.id}"]`).getByTestId('row-kick').click();
		await page.getByTestId('kick-reason').fill('flooding the room');
		await page.getByTestId('dialog-confirm').click();

		await poll(() => chat.page.locator('#status').textContent()).toBe(
			'Removed by an operator: flooding the room'
		);
		await page
			.getByRole('navigation', { name: 'Pages' })
			.getByRole('link', { name: 'Audit' })
			.click();
		await page.getByTestId('filter-command').selectOption('socket:disconnect');
		await poll(() => page.getByTestId('audit-row').count()).toBe(1);
		expect(await textOf(page, 'audit-reason')).toBe('flooding the room');
		await page.getByTestId('filter-command').selectOption('socket:move');
		await poll(() => page.getByTestId('audit-row').count()).toBe(1);
		// The kicked user is found in the trail by their label, though their socket is gone.
		await page.getByTestId('filter-command').selectOption('');
		await page.getByTestId('filter-q').fill('KICKED');
		await poll(() => page.getByTestId('audit-row').count()).toBe(1);
		expect(await textOf(page, 'audit-labels')).toBe('kicked');
		expect(await textOf(page, 'audit-reason')).toBe('flooding the room');
	});

	it('at 1280 px the Sockets table shows socket ids and namespaces whole', async () => {
		const namespace = encodeURIComponent('/tenant-globex');
		const { page } = await openPage(
			browser(),
			`${demo.server.url}/sockscope/#/sockets?ns=${namespace}`
		);
		await poll(() => page.getByTestId('socket-row').count()).toBe(3);
		const clipped = await page
			.locator('[data-testid=socket-row] > [role=gridcell]')
			.evaluateAll((cells) =>
				cells
					.filter((c) => c.classList.contains('id') || c.textContent!.trim().startsWith('/'))
					.map((c) => c.scrollWidth > c.clientWidth)
			);
		expect(clipped).toEqual(Array(6).fill(false));
	});

	it('a CSV export of the Sockets page filtered to one namespace holds exactly its sockets', async () => {
		const namespace = '/tenant-globex';
		const { page } = await openPage(
			browser(),
			`${demo.server.url}/sockscope/#/sockets?ns=${encodeURIComponent(namespace)}`
		);
		await poll(() => textOf(page, 'sockets-total')).toBe('3');
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			page.getByTestId('export-csv').click()
		]);
		expect(download.suggestedFilename()).toMatch(/^sockets-.*\.csv$/);
		const [header, ...lines] = (await readFile((await download.path())!, 'utf8'))
			.trimEnd()
			.split('\r\n');
		const columns = header.split(',');
		// A cell that a spreadsheet would take for a formula is quoted behind an apostrophe
		// (`"'-wsz…"`: a socket id may start with `-`), which shows the rest as text: read so.
		const asText = (cell: string) => cell.replace(/^"'(.*)"$/, '$1');
		const rows = lines.map((line) => line.split(',').map(asText));
		const ids = rows.map((cells) => cells[columns.indexOf('id')]).sort();
		expect(ids).toEqual([...demo.server.io.of(namespace).sockets.keys()].sort());
		// Each socket named by its label beside its id; its connection time as ISO 8601 text.
		const sockets = [...demo.server.io.of(namespace).sockets.values()];
		expect(columns.slice(0, 2)).toEqual(['id', 'label']);
		expect(rows.map((cells) => cells.slice(0, 2)).sort()).toEqual(
			sockets.map((s) => [s.id, s.data.name]).sort()
		);
		for (const cells of rows) {
			const at = cells[columns.indexOf('connectedAt')];
			expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
			expect(Math.abs(Date.parse(at) - Date.now())).toBeLessThan(3_600_000);
		}
		expect(new Set(rows.map((cells) => cells[columns.indexOf('namespace')]))).toEqual(
			new Set([namespace])
		);
		await poll(() => textOf(page, 'export-note')).toBe('3 rows exported.');
	});

	it('a CSV export writes the formulas its clients chose as text a spreadsheet does not run', async () => {
		// The demo's names allow letters, digits, spaces, "_", "." and "-" only: the user agent is
		// the text a client chooses freely, and a name may still begin with "-".
		const formulas = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", '-2+3', '@SUM(1)'];
		const namespace = '/tenant-acme';
		for (const [i, agent] of formulas.entries())
			await demo.client(namespace, { name: `-${i}` }, { extraHeaders: { 'user-agent': agent } });
		const { page } = await openPage(
			browser(),
			`${demo.server.url}/sockscope/#/sockets?ns=${encodeURIComponent(namespace)}`
		);
		await poll(() => textOf(page, 'sockets-total')).toBe('5');
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			page.getByTestId('export-csv').click()
		]);
		const bytes = await readFile((await download.path())!);
		const text = bytes.toString('utf8');
		// Each formula is one quoted cell, a single quote before it, its quotes doubled.
		for (const formula of formulas) expect(text).toContain(`,"'${formula.replaceAll('"', '""')}"`);
		for (const i of formulas.keys()) expect(text).toContain(`,"'-${i}"`);
		// No cell of the file begins with a character that starts a formula.
		expect(text).not.toMatch(/(^|,|\r\n)[=+\-@\t]/);
	});
});
