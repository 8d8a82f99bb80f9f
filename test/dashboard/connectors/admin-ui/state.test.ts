/**
 * The admin-ui connector's model, built from recordings: a real @socket.io/admin-ui server, a
 * recording client on its `/admin` namespace while scripted clients connect, chat, change rooms,
 * upgrade and leave; then the recording is replayed into the connector's state and what it
 * builds (sockets, rooms, samples, pages, the log, the dashboard's model) is checked against the
 * real server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import type { LogBatch, SocketRow } from '../../../../server/protocol/models.js';
import { AdminUiState } from '../../../../src/lib/connectors/admin-ui/state.js';
import type { WireEvent } from '../../../../src/lib/connectors/admin-ui/wire.js';
import { DashboardModel } from '../../../../src/lib/state/model.svelte.js';
import {
	recordAdminUi,
	startAdminUiServer,
	type AdminUiServer
} from '../../../support/admin-ui-fixture.js';
import { connectClients, disconnectAll, type ChatClient } from '../../../e2e/server.js';

const LOGIN = { username: 'admin', password: 'admin-pw' };

function replay(events: WireEvent[], now: number, state = new AdminUiState('/admin', () => {})) {
	for (const [event, ...args] of events) state.receive(event, args, now);
	return state;
}

/** The server's own view: per namespace, socket ids and the sizes of rooms other than ids. */
function truth(server: AdminUiServer, namespace: string) {
	const nsp = server.io.of(namespace);
	const rooms: Record<string, number> = {};
	for (const [room, ids] of nsp.adapter.rooms) if (!nsp.sockets.has(room)) rooms[room] = ids.size;
	return { ids: [...nsp.sockets.keys()].sort(), rooms };
}

describe('admin-ui connector, development mode', () => {
	let server: AdminUiServer;
	let clients: ChatClient[] = [];
	let events: WireEvent[];
	let end: number;
	let upgraded: string;

	beforeAll(async () => {
		server = await startAdminUiServer({ login: LOGIN });
		const early = [
			...(await connectClients(server.url, '/chat', 'lobby', 3)),
			...(await connectClients(server.url, '/news', 'sports', 2))
		];
		const rec = await recordAdminUi(server.url, LOGIN);
		await rec.until((e) => e[0] === 'all_sockets');
		const late = await connectClients(server.url, '/chat', 'games', 2);
		clients = [...early, ...late];
		// A polling client that upgrades: admin-ui reports the upgrade as `socket_updated`.
		const poller = connect(`${server.url}/chat`, { forceNew: true, auth: { room: 'lobby' } });
		await new Promise((resolve) => poller.once('connect', resolve as () => void));
		upgraded = poller.id!;
		clients.push({ socket: poller, received: [], disconnectReason: null });
		await rec.until((e) => e[0] === 'socket_updated' && (e[1] as { id: string }).id === upgraded);

		late[0].socket.emit('message', 'hi', { n: 1 });
		await rec.until((e) => e[0] === 'event_received');
		rec.socket.emit('join', '/chat', 'arcade', late[1].socket.id);
		rec.socket.emit('leave', '/chat', 'games', late[1].socket.id);
		await rec.until((e) => e[0] === 'room_left' && e[2] === 'games');
		early[0].socket.disconnect();
		rec.socket.emit('_disconnect', '/news', false, early[4].socket.id);
		await rec.until((e) => e[0] === 'socket_disconnected' && e[1] === '/news');
		await rec.until((e) => e[0] === 'room_left' && e[1] === '/news');
		({ events, end } = await rec.finish());
	});

	afterAll(async () => {
		disconnectAll(clients);
		await server?.close();
	});

	it('logs in with a password and is given a session id', () => {
		expect(events[0][0]).toBe('session');
		expect(events[0][1]).toMatch(/^[0-9a-f]{16}$/);
	});

	it('indexes exactly the sockets and room members the server has', () => {
		const state = replay(events, end);
		expect(state.ready).toBe(true);
		for (const ns of ['/chat', '/news']) {
			const { ids, rooms } = truth(server, ns);
			const indexed = state.index.namespaces.get(ns)!;
			expect([...indexed.sockets.keys()].sort()).toEqual(ids);
			const sizes = Object.fromEntries([...indexed.rooms].map(([r, m]) => [r, m.size]));
			expect(sizes).toEqual(rooms);
		}
		expect(state.index.namespaces.has('/admin')).toBe(false);
		expect(state.index.get('/chat', upgraded)?.transports).toEqual(['polling', 'websocket']);
	});

	it('samples sockets, rooms, connects with reasons and events per namespace', () => {
		const state = replay(events, end);
		const [sample] = state.tick(end);
		const chat = sample.namespaces.find((n) => n.name === '/chat')!;
		const news = sample.namespaces.find((n) => n.name === '/news')!;
		expect(sample.namespaces.map((n) => n.name)).toEqual(['/', '/chat', '/news']);
		expect(chat).toMatchObject({ sockets: 5, rooms: 3, connects: 3, disconnects: 1 });
		expect(chat.reasons).toEqual({ 'client namespace disconnect': 1 });
		expect(news).toMatchObject({ sockets: 1, connects: 0, disconnects: 1 });
		expect(news.reasons).toEqual({ 'server namespace disconnect': 1 });
		expect(chat.transports).toEqual({ websocket: 5, polling: 0, webtransport: 0 });
		expect(chat.topRooms).toEqual([
			{ name: 'lobby', size: 3 },
			{ name: 'games', size: 1 },
			{ name: 'arcade', size: 1 }
		]);
		// Leaves include the rooms a disconnecting socket was in, as the agent counts them.
		// Out: three greetings, and the relayed message, which admin-ui reports per recipient.
		expect(chat).toMatchObject({ eventsIn: 1, eventsOut: 4, joins: 4, leaves: 2 });
		expect(news).toMatchObject({ leaves: 1 });
		expect(chat.topEvents.map((e) => [e.name, e.in, e.out])).toEqual([
			['welcome', 0, 3],
			['message', 1, 1]
		]);
		// Engine bytes are played back once their second is complete, a few seconds later.
		const later = state.tick(end + 4000)[0];
		expect(later.namespaces[0].bytesIn + later.namespaces[0].bytesOut).toBeGreaterThan(0);
	});

	it('feeds the dashboard’s model as the native agent would', () => {
		const state = replay(events, end);
		state.tick(end);
		const model = new DashboardModel(async () => state.history.all());
		model.source = state.source;
		model.applySnapshot(state.snapshot(end));
		expect(model.totals.sockets).toBe(6);
		expect(model.totals.rooms).toBe(4);
		expect(model.namespaceNames).toEqual(['/', '/chat', '/news']);
		expect(model.topRooms[0]).toMatchObject({ namespace: '/chat', name: 'lobby', value: 3 });
		expect(model.series.points('sockets:/chat').map((p) => p.y)).toEqual([5]);
		expect(model.canAct('/chat')).toBe(true);
		expect(model.missing('sockets')).toBeNull();
		expect(model.missing('rtt')?.reason).toMatch(/heartbeat/);
		expect(model.missing('audit')?.hint).toMatch(/Sockscope’s agent/);
	});

	it('pages, filters and sorts sockets and rooms in the page, with keyset cursors', () => {
		const state = replay(events, end);
		const seen: SocketRow[] = [];
		let cursor: string | undefined;
		do {
			const page = state.queries.sockets({ namespace: '/chat', sort: 'id', limit: 2, cursor });
			expect(page.total).toBe(5);
			seen.push(...page.rows);
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		expect(seen.map((r) => r.id)).toEqual(truth(server, '/chat').ids);
		expect(state.queries.sockets({ room: 'lobby' }).total).toBe(3);
		expect(state.queries.sockets({ text: upgraded.slice(2, 9).toLowerCase() }).rows[0].id).toBe(
			upgraded
		);
		const rooms = state.queries.rooms({ namespace: '/chat' }).rows;
		expect(rooms.map((r) => [r.name, r.size])).toEqual([
			['lobby', 3],
			['games', 1],
			['arcade', 1]
		]);
		const details = state.queries.details('/chat', upgraded);
		expect(details.userAgent).toBe('node-XMLHttpRequest');
		expect(() => state.queries.details('/chat', 'gone')).toThrow(/No socket/);
	});

	it('logs the events that match the filter, batched', async () => {
		const batches: LogBatch[] = [];
		const state = new AdminUiState('/admin', (b) => batches.push(b));
		// Subscribed as the events page does: once the server's config is in.
		const config = events.findIndex((e) => e[0] === 'config') + 1;
		replay(events.slice(0, config), end, state);
		state.answer('log:subscribe', { namespace: '/chat' });
		replay(events.slice(config), end, state);
		await new Promise((r) => setTimeout(r, 50));
		const entries = batches.flatMap((b) => b.entries);
		expect(batches).toHaveLength(1);
		expect(entries.map((e) => [e.direction, e.event])).toContainEqual(['in', 'message']);
		expect(entries.find((e) => e.event === 'message')?.args).toBe('["hi",{"n":1}]');
		expect(entries.every((e) => e.namespace === '/chat')).toBe(true);
	});
});

describe('admin-ui connector, production mode', () => {
	let server: AdminUiServer;
	let clients: ChatClient[] = [];
	let events: WireEvent[];
	let end: number;

	beforeAll(async () => {
		server = await startAdminUiServer({ mode: 'production' });
		clients = await connectClients(server.url, '/chat', 'lobby', 3);
		({ events, end } = await (await recordAdminUi(server.url)).finish());
	});

	afterAll(async () => {
		disconnectAll(clients);
		await server?.close();
	});

	it('counts sockets per namespace from server stats and says why the rest is missing', () => {
		const state = replay(events, end);
		expect(events.map((e) => e[0])).not.toContain('all_sockets');
		expect(state.ready).toBe(true);
		expect(state.features).toEqual([]);
		const [sample] = state.tick(end);
		expect(sample.namespaces.map((n) => [n.name, n.sockets])).toEqual([
			['/', 0],
			['/chat', 3],
			['/news', 0]
		]);
		const model = new DashboardModel(async () => []);
		model.source = state.source;
		model.applySnapshot(state.snapshot(end));
		expect(model.totals.sockets).toBe(3);
		expect(model.nodes.size).toBe(1);
		for (const page of ['sockets', 'rooms', 'events', 'commands'] as const)
			expect(model.missing(page)?.reason).toMatch(/production mode/);
		expect(model.actionsUnavailable('/chat')).toMatch(/production mode/);
		expect(() => state.answer('sockets:query', {})).toThrow(/production mode/);
	});
});
