/**
 * Connection state recovery (socket.io ≥ 4.6): a client whose transport drops comes back as the
 * same socket, same id and rooms. The agent shows it so: one disconnect with its reason, one
 * recovered session (not a new connection) in the samples, the history and /metrics, the socket's
 * id never listed or counted as a public room, and its row keeping its id, rooms and figures.
 * With socket.io's own recovery and a real transport drop, on every version of the matrix.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import type { History, Page, RoomRow, Sample, SocketRow } from '../../server/protocol/models.js';
import { ask, nextSample, once, startFixture, type Fixture } from '../support/agent-fixture.js';
import { HOSTS } from '../support/hosts.js';

const FIGURES = ['connects', 'disconnects', 'recovered', 'joins', 'leaves'] as const;

/** What the dashboard's samples of `/` added up to, and the latest of them. */
function sumSamples(dashboard: ClientSocket) {
	const totals: Record<(typeof FIGURES)[number], number> & { reasons: Record<string, number> } = {
		connects: 0,
		disconnects: 0,
		recovered: 0,
		joins: 0,
		leaves: 0,
		reasons: {}
	};
	const seen = { totals, latest: null as Sample['namespaces'][number] | null };
	dashboard.on('stats:sample', (s: Sample) => {
		const main = s.namespaces.find((n) => n.name === '/');
		if (!main) return;
		seen.latest = main;
		for (const key of FIGURES) totals[key] += main[key];
		for (const [reason, n] of Object.entries(main.reasons)) {
			totals.reasons[reason] = (totals.reasons[reason] ?? 0) + n;
		}
	});
	return seen;
}

async function rowOf(dashboard: ClientSocket, id: string): Promise<SocketRow | undefined> {
	const page = await ask<Page<SocketRow>>(dashboard, 'sockets:query', { namespace: '/' });
	return page.rows.find((row) => row.id === id);
}

describe.each(HOSTS)('a recovered session on $name', (host) => {
	let f: Fixture;
	let dashboard: ClientSocket;
	let seen: ReturnType<typeof sumSamples>;
	let client: ClientSocket;
	let id: string;
	let before: SocketRow;

	beforeAll(async () => {
		f = await startFixture(
			{ metrics: { path: '/metrics' } },
			{ connectionStateRecovery: {} },
			(io) =>
				io.on('connection', (socket) => {
					socket.on('join', (room: string, ack: () => void) => {
						socket.join(room);
						ack();
					});
					socket.on('echo', (value: unknown, ack: (v: unknown) => void) => ack(value));
				}),
			host
		);
		({ socket: dashboard } = await f.dashboard());
		seen = sumSamples(dashboard);

		// Reconnection on, without delay: the client comes back as soon as its transport drops.
		client = await f.client('/', {
			reconnection: true,
			reconnectionDelay: 0,
			reconnectionDelayMax: 0
		});
		id = client.id!;
		await client.emitWithAck('join', 'lobby');
		await client.emitWithAck('echo', 1);
		// A client asks for its session back with the offset of the last packet the server stored
		// for it: without one received, there is nothing to recover from.
		const news = once(client, 'news');
		f.io.to('lobby').emit('news', 'hello');
		await news;
		before = (await rowOf(dashboard, id))!;
		expect(before).toMatchObject({ id, rooms: ['lobby'], eventsIn: 2 });

		// A real transport drop: the client's engine.io connection closes (the server sees its
		// transport close), and the client's manager reconnects.
		const back = once(client, 'connect');
		client.io.engine.close();
		await back;
		expect(client.recovered).toBe(true);
		expect(client.id).toBe(id);
		// Until a sample has seen the socket come back, however it counted it.
		await nextSample(dashboard, () => seen.totals.connects + seen.totals.recovered >= 2);
	});

	afterAll(() => f?.close());

	test('counts one disconnect with its reason and one recovered session, not a new connection', async () => {
		expect(seen.totals).toMatchObject({
			connects: 1,
			disconnects: 1,
			recovered: 1,
			reasons: { 'transport close': 1 }
		});
		expect(seen.latest).toMatchObject({ sockets: 1, rooms: 1 });
	});

	test("the socket's id is not a public room", async () => {
		const page = await ask<Page<RoomRow>>(dashboard, 'rooms:query', { namespace: '/' });
		expect(page.rows.map((row) => row.name)).toEqual(['lobby']);
		expect(page.rows[0].size).toBe(1);
		const { rows: namespaces } = await ask<{ rows: { name: string; rooms: number; recovered: number }[] }>(
			dashboard,
			'namespaces:query'
		);
		expect(namespaces.find((n) => n.name === '/')).toMatchObject({ rooms: 1, recovered: 1 });
	});

	test('its row keeps its id and rooms, and its figures go on', async () => {
		const after = await rowOf(dashboard, id);
		expect(after).toMatchObject({ id, rooms: ['lobby'], eventsIn: before.eventsIn });
		expect(after!.eventsOut).toBeGreaterThanOrEqual(before.eventsOut);
		expect(after!.bytesIn).toBe(before.bytesIn);
		await client.emitWithAck('echo', 2);
		expect((await rowOf(dashboard, id))!.eventsIn).toBe(before.eventsIn + 1);
	});

	test('history and /metrics have the recovered session', async () => {
		const [history] = await ask<History[]>(dashboard, 'history:query', { range: '1m' });
		const main = history.namespaces['/'];
		const sum = (series: number[]) => series.reduce((a, b) => a + b, 0);
		expect({
			connects: sum(main.connects),
			disconnects: sum(main.disconnects),
			recovered: sum(main.recovered)
		}).toEqual({ connects: 1, disconnects: 1, recovered: 1 });

		const text = await (await fetch(`${f.url}/metrics`)).text();
		expect(text).toContain('socketio_connections_recovered_total{namespace="/"} 1');
		expect(text).toContain('socketio_connections_total{namespace="/"} 1');
		expect(text).toContain(
			'socketio_disconnections_total{namespace="/",reason="transport close"} 1'
		);
		expect(text).toContain('socketio_rooms{namespace="/"} 1');
	});
});
