/**
 * Nothing cut off: every page of the dashboard, at 390, 1280 and 1920 px, in the light and the dark
 * theme, shows its text whole or wraps it sensibly, with the long names real apps have (tenant
 * namespaces, event names, rooms, labels, refusal messages).
 *
 * The rule, measured in the page on every rendered element that holds text:
 * - clipped: its content is wider than its box (scrollWidth > clientWidth + 1 px) and neither it
 *   nor an ancestor scrolls sideways (overflow-x auto or scroll: a wide table in its own scrolling
 *   wrapper is reachable, not cut); or its text, or a badge's or button's box, reaches outside an
 *   ancestor that clips (overflow hidden or clip) on either side (right-aligned text overflows to
 *   the left, which scrollWidth does not count), up to the nearest ancestor that scrolls; or it
 *   lies off the left of the screen. Allowed: text that ends in an ellipsis
 *   (`text-overflow: ellipsis`, cut at the end) with its whole text in the `title` of it or an
 *   ancestor, and text only for screen readers (`.sr-only`).
 * - broken mid-word: a word of up to 24 letters, digits or colons (`engineering`, `19:12:17`,
 *   `ticket:close`) laid out on two lines. Longer unbroken tokens (hashes, ids) may wrap anywhere,
 *   and breaks at hyphens, slashes and spaces are sensible.
 * - the page itself scrolls sideways (the document wider than the viewport).
 * - a chart's canvas has ink in its two outermost pixels on the left or at the bottom: an axis
 *   label or a legend drawn past the edge (labels are right-aligned against the y axis, so a label
 *   too long is cut from the left; legend rows that do not fit fall off the bottom). The right
 *   edge, where plots and grid lines end, and the doughnut, whose ring touches its edges, are not
 *   measured.
 * Each page waits for its rows before it is measured; each width and theme is measured until it is
 * clean or 8 s have passed, and what is cut then is reported with its text.
 */
import type { Page } from 'playwright-core';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { user } from '../support/dashboard-client.js';
import { describeBrowser, openPage } from '../support/browser.js';
import { chatter, poll, useBrowser } from './helpers.js';
import {
	connectClients,
	disconnectAll,
	startChatServer,
	type ChatClient,
	type ChatServer
} from './server.js';

const WIDTHS = [390, 1280, 1920];
/** A phone, a laptop, a wall monitor: the charts' height follows the window's. */
const HEIGHTS: Record<number, number> = { 390: 844, 1280: 800, 1920: 1080 };
const THEMES = ['light', 'dark'] as const;
const TENANT = '/support-tenant-northwind-enterprise-emea';
const ROOMS = [
	'random',
	'engineering',
	'incident-response-payments-eu-west-2026-12-06',
	'customer7f3a9c2e4b1d4e8a9f0c2d7e6b5a1c3f'
];
const SLOW_IN = 'support-ticket:close-with-resolution';
const SLOW_OUT = 'presence:heartbeat-acknowledgement';
const REFUSAL =
	'invalid namespace token for tenant northwind-enterprise-emea: signature expired at 2026-12-06T19:12:17Z';

/** What is cut off on the page as it is laid out now; see the header for the rule. */
function findings(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const found = new Set<string>();
		const styles = new Map<Element, CSSStyleDeclaration>();
		const style = (el: Element) => {
			let s = styles.get(el);
			if (!s) styles.set(el, (s = getComputedStyle(el)));
			return s;
		};
		const scrolls = (el: Element) => ['auto', 'scroll'].includes(style(el).overflowX);
		const nameOf = (el: Element) =>
			el.tagName.toLowerCase() +
			(typeof el.className === 'string' && el.className.trim()
				? '.' + el.className.trim().split(/\s+/).join('.')
				: '');
		const hidden = (el: Element) =>
			el.closest('.sr-only') !== null || el.getClientRects().length === 0;
		/** Cut at the end with an ellipsis, the whole text on hover. */
		const words = (text: string) => text.replace(/\s+/g, ' ').trim();
		const ellipsisWithTitle = (el: Element) =>
			style(el).textOverflow === 'ellipsis' &&
			words(el.closest('[title]')?.getAttribute('title') ?? '').includes(
				words(el.textContent ?? '')
			);
		const clipped = (el: Element, how: string) =>
			found.add(`${how} ${nameOf(el)}: "${words(el.textContent ?? '').slice(0, 90)}"`);

		const { scrollWidth } = document.documentElement;
		if (scrollWidth > window.innerWidth) {
			found.add(`the page is ${scrollWidth} px wide in a ${window.innerWidth} px window`);
		}
		// Boxes whose content is wider than they are, outside any box that scrolls sideways.
		for (const el of document.body.querySelectorAll('*')) {
			if (!(el.textContent ?? '').trim() || hidden(el)) continue;
			if (el.scrollWidth <= el.clientWidth + 1 || ellipsisWithTitle(el)) continue;
			let inScroller = false;
			for (let up: Element | null = el; up && !inScroller; up = up.parentElement) {
				inScroller = scrolls(up);
			}
			if (!inScroller) clipped(el, `wider than its box (${el.scrollWidth} > ${el.clientWidth} px)`);
		}
		/**
		 * Whether the span from `left` to `right` (of a text, a badge or a button inside `from`)
		 * lies outside a box that clips it, up to the nearest box that scrolls; either side counts,
		 * since right-aligned text overflows to the left, which scrollWidth does not count.
		 */
		const checkSpan = (from: Element, left: number, right: number) => {
			let up: Element | null = from;
			for (; up && up !== document.body && !scrolls(up); up = up.parentElement) {
				if (style(up).overflowX === 'visible') continue;
				const box = up.getBoundingClientRect();
				const inner = {
					left: box.left + up.clientLeft,
					right: box.left + up.clientLeft + up.clientWidth
				};
				const cutLeft = left < inner.left - 1;
				const cutRight = right > inner.right + 1;
				if (cutLeft || (cutRight && !ellipsisWithTitle(up))) {
					clipped(up, cutLeft ? 'cut on the left' : 'cut on the right');
				}
			}
			if ((!up || up === document.body) && left < -1) clipped(from, 'off the left of the screen');
		};
		// Badges and buttons show their edges: the whole pill must be inside what clips it.
		for (const el of document.body.querySelectorAll('.badge, button')) {
			if (!(el.textContent ?? '').trim() || hidden(el) || !el.parentElement) continue;
			const box = el.getBoundingClientRect();
			checkSpan(el.parentElement, box.left, box.right);
		}
		const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		const range = document.createRange();
		for (let node = walker.nextNode(); node; node = walker.nextNode()) {
			const parent = node.parentElement;
			const text = node.textContent ?? '';
			if (!parent || !text.trim() || hidden(parent)) continue;
			range.selectNodeContents(node);
			const rects = [...range.getClientRects()].filter((r) => r.width > 0);
			if (rects.length === 0) continue;
			checkSpan(
				parent,
				Math.min(...rects.map((r) => r.left)),
				Math.max(...rects.map((r) => r.right))
			);
			// Words of up to 24 letters, digits or colons stay on one line.
			for (const word of text.matchAll(/[\p{L}\p{N}_:]+/gu)) {
				if (word[0].length < 2 || word[0].length > 24) continue;
				range.setStart(node, word.index);
				range.setEnd(node, word.index + word[0].length);
				const parts = [...range.getClientRects()].filter((r) => r.width > 0);
				if (parts.length > 1 && parts[parts.length - 1].top > parts[0].top + 1) {
					clipped(parent, `breaks "${word[0]}" in`);
				}
			}
		}
		// A chart draws its labels and legend on a canvas: text cut at the canvas's left or bottom
		// edge leaves ink in the outermost pixels there (the plot and its grid run to the right
		// edge, so that one is not measured).
		for (const canvas of document.querySelectorAll<HTMLCanvasElement>('.chart-box canvas')) {
			// A doughnut's ring runs to the edges of its canvas by design.
			if (canvas.closest('[aria-label="Sockets by transport"]')) continue;
			const { width, height } = canvas;
			const ctx = canvas.getContext('2d');
			if (!ctx || width < 4 || height < 4 || hidden(canvas)) continue;
			const inked = (x: number, y: number, w: number, h: number) =>
				ctx.getImageData(x, y, w, h).data.some((value, i) => i % 4 === 3 && value > 0);
			const chart = canvas.closest('[aria-label]')?.getAttribute('aria-label')?.slice(0, 60);
			if (inked(0, 0, 2, height)) found.add(`a chart's text cut at its left edge: "${chart}"`);
			if (inked(0, height - 2, width, 2)) {
				found.add(`a chart's text cut at its bottom edge: "${chart}"`);
			}
		}
		return [...found];
	});
}

describeBrowser('nothing cut off', () => {
	const browser = useBrowser();
	let server: ChatServer;
	let guarded: ChatServer;
	let clients: ChatClient[] = [];
	let dashboard: ClientSocket;
	let stop = () => {};
	let acks: NodeJS.Timeout;

	beforeAll(async () => {
		server = await startChatServer(
			{
				label: (socket) =>
					`${(socket.handshake.auth as { room: string }).room} · customer success agent, Frankfurt office`
			},
			0,
			// Refused by the engine, before any namespace: counted as `forbidden`.
			{ allowRequest: (req, callback) => callback(null, !req.url?.includes('blocked')) }
		);
		const tenant = server.io.of(TENANT);
		tenant.use((socket, next) =>
			next(socket.handshake.auth.room === 'forbidden' ? new Error(REFUSAL) : undefined)
		);
		tenant.on('connection', (socket) => {
			socket.join(socket.handshake.auth.room);
			socket.on('message', (text: unknown) => socket.to([...socket.rooms]).emit('message', text));
			socket.on(SLOW_IN, (_: unknown, ack: (v: string) => void) =>
				setTimeout(() => ack('closed'), 40)
			);
		});
		for (const room of ROOMS) clients.push(...(await connectClients(server.url, TENANT, room, 2)));
		clients.push(...(await connectClients(server.url, '/chat', 'lobby', 2)));
		for (const c of clients) {
			c.socket.on(SLOW_OUT, (ack: (v: string) => void) => setTimeout(() => ack('here'), 30));
		}
		// Refused and failed connections under the eight codes the agent knows, the refusal last
		// (the newest few are listed), with a long message of the host's.
		await fetch(`${server.url}/socket.io/?EIO=4&transport=carrier-pigeon`);
		await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=no-such-session`);
		await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { method: 'PUT' });
		await fetch(`${server.url}/socket.io/?EIO=9&transport=polling`);
		await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&blocked=1`);
		await fetch(`${server.url}/socket.io/?EIO=4&transport=websocket`);
		await connectClients(server.url, '/support-tenant-that-was-never-created', 'x', 1).catch(
			() => {}
		);
		await connectClients(server.url, TENANT, 'forbidden', 1).catch(() => {});
		// Disconnects: one by the client, one by the server.
		const [leaving, kicked] = await connectClients(server.url, TENANT, ROOMS[2], 2);
		leaving.socket.disconnect();
		// The server holds a socket before its client hears `connect`.
		tenant.sockets.get(kicked.socket.id!)!.disconnect(true);
		// Acknowledged traffic both ways and chat, all along.
		stop = chatter(clients, 200);
		acks = setInterval(() => {
			clients[0].socket.emit(SLOW_IN, { ticket: 42 }, () => {});
			for (const socket of tenant.sockets.values()) socket.timeout(5000).emit(SLOW_OUT, () => {});
		}, 400);
		// Admin commands, for the audit trail.
		dashboard = connect(`${server.url}/sockscope`, {
			forceNew: true,
			reconnection: false,
			transports: ['websocket']
		});
		const target = clients[0].socket.id!;
		for (const [event, input] of [
			[
				'socket:join',
				{ namespace: TENANT, id: target, room: 'escalations-tier-3-weekend-on-call' }
			],
			['emit:send', { namespace: TENANT, socket: target, event: SLOW_OUT + '-manual', args: [] }]
		] as const) {
			const reply = await dashboard.timeout(5000).emitWithAck(event, input);
			expect(reply).toHaveProperty('data');
		}
		guarded = await startChatServer({ auth: { users: [user('admin', 'admin')] } });
	}, 60_000);

	afterAll(async () => {
		stop();
		clearInterval(acks);
		dashboard?.disconnect();
		disconnectAll(clients);
		await server?.close();
		await guarded?.close();
	});

	/** Opens `hash` on the dashboard, waits for `ready`, then measures at each width and theme. */
	async function measure(url: string, ready: (page: Page) => Promise<unknown>): Promise<void> {
		const { page, context, errors } = await openPage(browser(), url, {
			width: WIDTHS[0],
			height: 844
		});
		try {
			await ready(page);
			const cut: Record<string, string[]> = {};
			for (const theme of THEMES) {
				await page.emulateMedia({ colorScheme: theme });
				await poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
				for (const width of WIDTHS) {
					await page.setViewportSize({ width, height: HEIGHTS[width] });
					// Charts and virtual rows follow a resize a frame or two later: measure until the
					// page is clean or a few seconds have passed, and keep what is still cut then.
					let last: string[] = [];
					await expect
						.poll(async () => (last = await findings(page)), { timeout: 8000, interval: 250 })
						.toEqual([])
						.catch(() => {});
					if (last.length) cut[`${width} px, ${theme}`] = last;
				}
			}
			expect(cut, `cut off on ${url}`).toEqual({});
			expect(errors).toEqual([]);
		} finally {
			await context.close();
		}
	}

	const rows =
		(testId: string, atLeast = 1) =>
		(page: Page) =>
			poll(() => page.getByTestId(testId).count(), 15_000).toBeGreaterThanOrEqual(atLeast);
	const ns = encodeURIComponent(TENANT);

	it('the Overview, its failed connections and slowest acknowledgements', async () => {
		await measure(server.dashboard, async (page) => {
			await poll(() => page.getByTestId('connection-errors').textContent(), 15_000).toContain(
				'invalid namespace token'
			);
			// Every code in the chart's legend.
			const chart = page.getByRole('img', { name: /^Refused and failed connections/ });
			for (const code of [
				'unknown transport',
				'forbidden',
				'bad request',
				'invalid namespace',
				'refused'
			]) {
				await poll(() => chart.getAttribute('aria-label')).toContain(code);
			}
		});
	}, 120_000);

	it('the navigation, its phone menu open', async () => {
		await measure(`${server.dashboard}#/audit`, async (page) => {
			await rows('audit-row')(page);
			await page.getByTestId('nav-menu').click();
			await page
				.getByRole('navigation', { name: 'Pages' })
				.getByRole('link', { name: 'Namespaces' })
				.waitFor();
		});
	}, 120_000);

	it('the Sockets page', async () => {
		await measure(`${server.dashboard}#/sockets`, rows('socket-row', 10));
	}, 120_000);

	it("a socket's details", async () => {
		const id = clients[0].socket.id!;
		await measure(`${server.dashboard}#/sockets?ns=${ns}&socket=${id}&sns=${ns}`, async (page) => {
			await poll(() => page.getByTestId('detail-rooms').textContent(), 15_000).toContain(
				'escalations-tier-3-weekend-on-call'
			);
			await poll(() => page.getByTestId('detail-acks').textContent()).toContain('answered by');
		});
	}, 120_000);

	it("a socket's action dialog", async () => {
		const id = clients[0].socket.id!;
		await measure(`${server.dashboard}#/sockets?ns=${ns}&socket=${id}&sns=${ns}`, async (page) => {
			await page.getByTestId('detail-move').click({ timeout: 15_000 });
			await page.getByRole('dialog').waitFor();
		});
	}, 120_000);

	it('the Rooms page with a room open', async () => {
		const room = encodeURIComponent(ROOMS[2]);
		await measure(`${server.dashboard}#/rooms?room=${room}&rns=${ns}`, async (page) => {
			await rows('room-row', ROOMS.length)(page);
			await poll(() => page.getByTestId('room-member').count(), 15_000).toBeGreaterThanOrEqual(2);
		});
	}, 120_000);

	it("a room's action dialog", async () => {
		const room = encodeURIComponent(ROOMS[2]);
		await measure(`${server.dashboard}#/rooms?room=${room}&rns=${ns}`, async (page) => {
			await page.getByTestId('room-move').click({ timeout: 15_000 });
			// The first step is a dry run: it counts the members and moves no one.
			await page.getByTestId('room-move-to').fill('incident-response-payments-eu-west-archive');
			await page.getByTestId('dialog-confirm').click();
			await page.getByTestId('dry-run-count').waitFor({ timeout: 15_000 });
		});
	}, 120_000);

	it('the Namespaces page', async () => {
		await measure(`${server.dashboard}#/namespaces`, rows('namespace-row', 2));
	}, 120_000);

	it("the Events page's live log", async () => {
		await measure(`${server.dashboard}#/events`, async (page) => {
			await rows('log-entry', 10)(page);
			await poll(() => page.getByTestId('event-log').textContent(), 15_000).toContain(SLOW_IN);
		});
	}, 120_000);

	it("the Events page's acknowledgements", async () => {
		await measure(`${server.dashboard}#/events?tab=acks`, async (page) => {
			await rows('ack-row', 2)(page);
			await poll(() => page.getByTestId('ack-table').textContent()).toContain(SLOW_OUT);
		});
	}, 120_000);

	it('the Disconnects page', async () => {
		await measure(`${server.dashboard}#/disconnects`, rows('disconnect-row', 2));
	}, 120_000);

	it('the Servers page', async () => {
		await measure(`${server.dashboard}#/servers`, rows('server-row'));
	}, 120_000);

	it('the Audit page', async () => {
		await measure(`${server.dashboard}#/audit`, rows('audit-row', 2));
	}, 120_000);

	it('the login card', async () => {
		await measure(guarded.dashboard, (page) =>
			page.locator('input[name=password]').waitFor({ timeout: 15_000 })
		);
	}, 120_000);
});
