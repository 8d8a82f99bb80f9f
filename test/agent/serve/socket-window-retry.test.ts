/**
 * The Sockets page's window (src/lib/state/socket-window.svelte.ts) against a real agent whose
 * request budget the dashboard has spent: a new filter's first watch is refused `E_RATE_LIMITED`.
 * The window then asks again once the agent says it may, and shows the filter's rows; the earlier
 * filter's window, which the agent goes on updating, never shows under the new filter. The Events
 * page's subscription to the live log, refused so, is asked for again too.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import type { WindowUpdate } from '../../../server/protocol/windows.js';
import type { RequestError, Connector } from '../../../src/lib/connectors/connector.js';
import { SocketWindow, WindowFeed } from '../../../src/lib/state/socket-window.svelte.js';
import { LogBuffer } from '../../../src/lib/state/live-feeds.svelte.js';
import type { Dashboard } from '../../../src/lib/state/dashboard.svelte.js';
import { EventsView } from '../../../src/routes/events/events.svelte.js';
import { startFixture, type Fixture } from '../../support/agent-fixture.js';
import { queriesOver } from '../../support/dashboard-client.js';

let f: Fixture;
let dashboard: ClientSocket;
/** The dashboard's requests as the native connector makes them, refusals as `RequestError`s. */
let api: Connector;
const clients: ClientSocket[] = [];

beforeAll(async () => {
	// One request a second, a burst of three: easy to spend, back within seconds.
	f = await startFixture({ limits: { requestsPerSecond: 1, burst: 3 } });
	for (const name of ['alice', 'bob', 'carol'])
		clients.push(await f.client('/', { auth: { name } }));
	({ socket: dashboard } = await f.dashboard());
	api = queriesOver(dashboard);
});

afterAll(() => f.close());

/** Spends the dashboard's request budget: the next request is refused, with when to come back. */
async function spendBudget(): Promise<RequestError> {
	let refused: RequestError | undefined;
	while (!refused) await api.query('namespaces:query', {}).catch((err) => (refused = err));
	return refused;
}

test("a new filter's first watch, refused for the rate, is asked again and shows its rows", async () => {
	const feed = new WindowFeed();
	dashboard.on('sockets:window', (u: WindowUpdate) => feed.push(u));
	const window = new SocketWindow(api, feed);
	window.visible(0, 10);
	await window.start({ sort: 'connectedAt', order: 'asc' });
	await expect.poll(() => window.total, { timeout: 10_000 }).toBe(3);

	const refused = await spendBudget();
	expect(refused.code).toBe('E_RATE_LIMITED');
	expect(refused.retryAfter).toBeGreaterThan(0);

	const bob = clients[1].id!;
	await window.start({ text: bob, sort: 'connectedAt', order: 'asc' });
	expect(window.error).not.toBeNull();
	// The earlier window goes on being updated by the agent (a new socket sorts into it); none of
	// its rows may show as this filter's.
	clients.push(await f.client('/', { auth: { name: 'dave' } }));
	await expect.poll(() => window.rows.map((r) => r.id), { timeout: 15_000 }).toEqual([bob]);
	expect(window.total).toBe(1);
	expect(window.error).toBeNull();
	window.dispose();
});

test('the live log subscription, refused for the rate, is asked for again', async () => {
	await spendBudget();
	const view = new EventsView({ api, log: new LogBuffer() } as unknown as Dashboard);
	const unsubscribe = view.subscribe({});
	await expect.poll(() => view.error).not.toBeNull();
	await expect.poll(() => view.granted, { timeout: 15_000 }).not.toBeNull();
	expect(view.error).toBeNull();
	unsubscribe();
});
