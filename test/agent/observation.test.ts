/**
 * The agent's figures after a scripted session across three namespaces — one of them created after
 * `instrument()` by a parent namespace — match what happened, in the samples, the queries, the
 * snapshot and /metrics alike, on every supported socket.io and with the msgpack parser.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import type { Namespace } from 'socket.io';
import type { NamespacesPage, Page, RoomRow, Sample, SocketRow } from '../../server/protocol/models.js';
import { ask, once, startFixture, type Fixture } from '../support/agent-fixture.js';
import { HOSTS } from '../support/hosts.js';

function chatHandlers(nsp: Namespace) {
	nsp.on('connection', (socket) => {
		socket.on('join', (room: string, ack: () => void) => {
			socket.join(room);
			ack();
		});
		socket.on('leave', (room: string, ack: () => void) => {
			socket.leave(room);
			ack();
		});
		socket.on('say', (room: string, text: string) => socket.to(room).emit('said', text));
		socket.on('shout', (text: string) => socket.broadcast.emit('shouted', text));
		socket.on('echo', (value: unknown, ack: (v: unknown) => void) => ack(value));
	});
}

/** Sums the interval figures of every sample a dashboard received, per namespace. */
function collect(dashboard: ClientSocket) {
	const totals = new Map<string, Record<string, number>>();
	const reasons = new Map<string, Record<string, number>>();
	dashboard.on('stats:sample', (s: Sample) => {
		for (const n of s.namespaces) {
			const t = totals.get(n.name) ?? {};
			for (const key of ['connects', 'refused', 'disconnects', 'eventsIn', 'eventsOut', 'broadcasts', 'broadcastRecipients', 'joins', 'leaves'] as const) {
				t[key] = (t[key] ?? 0) + n[key];
			}
			t.sockets = n.sockets;
			t.rooms = n.rooms;
			totals.set(n.name, t);
			const r = reasons.get(n.name) ?? {};
			for (const [reason, count] of Object.entries(n.reasons)) r[reason] = (r[reason] ?? 0) + count;
			reasons.set(n.name, r);
		}
	});
	return { totals, reasons };
}

describe.each(HOSTS)('agent observation on $name', (host) => {
	let f: Fixture;
	let seen: ReturnType<typeof collect>;
	let dashboard: ClientSocket;
	/** What socket.io itself gave as the reason when a client's transport closed under it. */
	let closedReason: string;

	beforeAll(async () => {
		f = await startFixture(
			{ metrics: { path: '/metrics' } },
			// A generous ping timeout: a loaded machine can delay a ping past a tight one and drop a client.
			{ pingInterval: 150, pingTimeout: 2000 },
			(io) => {
				chatHandlers(io.of('/'));
				const chat = io.of('/chat');
				chat.use((socket, next) => next(socket.handshake.auth.name === 'bad' ? new Error('bad name') : undefined));
				chatHandlers(chat);
			},
			host
		);
		// A parent namespace declared after instrument(): its children appear as clients ask for them.
		chatHandlers(f.io.of(/^\/dyn-\d+$/) as unknown as Namespace);
		({ socket: dashboard } = await f.dashboard());
		seen = collect(dashboard);

		// Main namespace: three sockets, two rooms, a room broadcast, a namespace-wide broadcast.
		const [a1, a2, a3] = await Promise.all([f.client('/'), f.client('/'), f.client('/')]);
		await a1.emitWithAck('join', 'r1');
		await a2.emitWithAck('join', 'r1');
		await a3.emitWithAck('join', 'r2');
		const said = once(a2, 'said');
		a1.emit('say', 'r1', 'hello');
		await said;
		const shouted = Promise.all([once(a1, 'shouted'), once(a2, 'shouted')]);
		a3.emit('shout', 'hey');
		await shouted;
		await a1.emitWithAck('leave', 'r1');

		// /chat: one refused by middleware, two in a lobby that the server broadcasts to.
		await expect(f.client('/chat', { auth: { name: 'bad' } })).rejects.toThrow('bad name');
		const [c1, c2] = await Promise.all([f.client('/chat'), f.client('/chat')]);
		await c1.emitWithAck('join', 'lobby');
		await c2.emitWithAck('join', 'lobby');
		const news = Promise.all([once(c1, 'news'), once(c2, 'news')]);
		f.io.of('/chat').to('lobby').emit('news', 'x');
		await news;
		expect(await c1.emitWithAck('echo', 42)).toBe(42);

		// /dyn-7: created after instrument().
		const d1 = await f.client('/dyn-7');
		await d1.emitWithAck('echo', 'a');
		await d1.emitWithAck('echo', 'b');

		// Each disconnect reason that a test can provoke.
		const gone = (s: ClientSocket) => once<string>(s, 'disconnect');
		let g = gone(a3);
		a3.disconnect(); // client namespace disconnect
		await g;
		g = gone(c2);
		f.io.of('/chat').sockets.get(c2.id!)!.disconnect(); // server namespace disconnect
		await g;
		g = gone(a2);
		// Usually `transport close`; some engine.io versions see `transport error` when the race goes the other way.
		const closed = once<string>(f.io.sockets.sockets.get(a2.id!)!, 'disconnect');
		a2.io.engine.close();
		await g;
		closedReason = await closed;
		expect(['transport close', 'transport error']).toContain(closedReason);
		// ping timeout: a client that stops answering the server's pings.
		const silent = await f.client('/dyn-7');
		const timedOut = once<string>(f.io.of('/dyn-7').sockets.get(silent.id!)!, 'disconnect');
		const engine = silent.io.engine as unknown as { _sendPacket(type: string, ...rest: unknown[]): void };
		const send = engine._sendPacket.bind(engine);
		engine._sendPacket = (type, ...rest) => {
			if (type !== 'pong') send(type, ...rest);
		};
		expect(await timedOut).toBe('ping timeout');
		silent.disconnect();
	});

	afterAll(() => f?.close());

	const expected = {
		// Leaves include those of sockets that disconnect while in a room.
		'/': { connects: 3, disconnects: 2, refused: 0, eventsIn: 6, eventsOut: 3, broadcasts: 2, broadcastRecipients: 3, joins: 3, leaves: 3, sockets: 1, rooms: 0 },
		'/chat': { connects: 2, disconnects: 1, refused: 1, eventsIn: 3, eventsOut: 2, broadcasts: 1, broadcastRecipients: 2, joins: 2, leaves: 1, sockets: 1, rooms: 1 },
		'/dyn-7': { connects: 2, disconnects: 1, refused: 0, eventsIn: 2, eventsOut: 0, broadcasts: 0, broadcastRecipients: 0, joins: 0, leaves: 0, sockets: 1, rooms: 0 }
	};

	test("finds socket.io's internals as the agent expects them", () => {
		// With msgpack, events come from socket.io's hooks; only acks and refusals are read at the wire.
		expect(f.agent.seam).toEqual({ namespaces: true, broadcasts: true, wireEvents: !host.parser, msgpackWire: !!host.parser, problems: [] });
	});

	test('samples add up to exactly what happened, per namespace', async () => {
		await expect
			.poll(() => Object.fromEntries([...seen.totals].filter(([name]) => name in expected)), { timeout: 5000 })
			.toEqual(expected);
	});

	test('disconnects are counted by socket.io reason', async () => {
		await expect
			.poll(() => Object.fromEntries(seen.reasons), { timeout: 5000 })
			.toEqual({
				'/': { 'client namespace disconnect': 1, [closedReason]: 1 },
				'/chat': { 'server namespace disconnect': 1 },
				'/dyn-7': { 'ping timeout': 1 }
			});
	});

	test('namespaces query gives cumulative totals, without the admin namespace', async () => {
		const list = (await ask<NamespacesPage>(dashboard, 'namespaces:query')).rows;
		expect(list.map((n) => n.name).sort()).toEqual(['/', '/chat', '/dyn-7']);
		const main = list.find((n) => n.name === '/')!;
		expect(main).toMatchObject({ sockets: 1, rooms: 0, connects: 3, disconnects: 2, eventsIn: 6, eventsOut: 3 });
	});

	test('sockets and rooms queries list the sockets and rooms that remain', async () => {
		const sockets = await ask<Page<SocketRow>>(dashboard, 'sockets:query', { sort: 'namespace' });
		expect(sockets.total).toBe(3);
		expect(sockets.rows.map((r) => [r.namespace, r.rooms])).toEqual([
			['/', []],
			['/chat', ['lobby']],
			['/dyn-7', []]
		]);
		const rooms = await ask<Page<RoomRow>>(dashboard, 'rooms:query', {});
		expect(rooms.rows.map((r) => [r.namespace, r.name, r.size])).toEqual([['/chat', 'lobby', 1]]);
		// One node: no per-node sizes, which would only repeat the size.
		expect(rooms.rows[0]).not.toHaveProperty('nodes');
		const members = await ask<Page<SocketRow>>(dashboard, 'room:members', { namespace: '/chat', room: 'lobby' });
		expect(members.rows.map((r) => r.id)).toEqual([sockets.rows[1].id]);
	});

	test('heartbeat round-trips are measured from the engine ping/pong', async () => {
		await expect
			.poll(async () => (await ask<Page<SocketRow>>(dashboard, 'sockets:query', {})).rows.every((r) => r.rtt !== null), { timeout: 5000 })
			.toBe(true);
	});

	test('the snapshot of a new dashboard carries the totals and the history', async () => {
		await expect.poll(() => f.agent.latestSample()?.namespaces.length).toBe(3);
		const { snapshot } = await f.dashboard();
		expect(snapshot.protocol).toBe(2);
		expect(snapshot.namespaces.find((n) => n.name === '/chat')).toMatchObject({ connects: 2, refused: 1 });
		const history = snapshot.history[0];
		expect(history.t.length).toBeGreaterThan(0);
		const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
		expect(sum(history.namespaces['/chat'].connects)).toBe(2);
		expect(sum(history.namespaces['/'].eventsIn)).toBe(6);
	});

	test('/metrics exposes the same figures under the standard names', async () => {
		const text = await (await fetch(`${f.url}/metrics`)).text();
		expect(text).toContain('socketio_sockets{namespace="/"} 1');
		expect(text).toContain('socketio_connections_total{namespace="/chat"} 2');
		expect(text).toContain('socketio_disconnections_total{namespace="/dyn-7",reason="ping timeout"} 1');
		expect(text).toContain('socketio_rooms{namespace="/chat"} 1');
		expect(text).toContain('socketio_room_joins_total{namespace="/"} 3');
		expect(text).toContain('socketio_room_leaves_total{namespace="/"} 3');
		expect(text).toContain('socketio_events_received_total{namespace="/",event="join"} 3');
		expect(text).toContain('socketio_events_sent_total{namespace="/chat",event="news"} 2');
		expect(text).toMatch(/socketio_bytes_received_total\{namespace="\/"\} [1-9]/);
		expect(text).toMatch(/socketio_heartbeat_rtt_seconds_count [1-9]/);
		// Process metrics only when asked (`metrics.defaultMetrics`).
		expect(text).not.toContain('process_cpu_user_seconds_total');
		expect(text).not.toContain('/sockscope');
		// The host's own routes are untouched.
		expect((await fetch(`${f.url}/other`)).status).toBe(404);
	});
});
