/**
 * Traffic per room: broadcasts sent to a room and the deliveries they made, counted from the
 * adapter's broadcast, in the Rooms page's query and in Prometheus for the rooms the
 * `metrics.rooms` option allows.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import type { Page, RoomRow } from '../../../server/protocol/models.js';
import { ask, once, startFixture, type Fixture } from '../../support/agent-fixture.js';

let f: Fixture | undefined;
afterEach(async () => {
	await f?.close();
	f = undefined;
});

/** Each client joins the room named in its handshake's `room` query. */
function joinAsked(io: import('socket.io').Server): void {
	io.on('connection', (socket) => {
		const room = socket.handshake.query.room;
		if (typeof room === 'string') socket.join(room);
	});
}

async function members(fixture: Fixture, room: string, n: number): Promise<ClientSocket[]> {
	const clients: ClientSocket[] = [];
	for (let i = 0; i < n; i++) clients.push(await fixture.client('/', { query: { room } }));
	return clients;
}

/** Broadcasts to `room` and waits until every member received it. */
async function broadcastTo(fixture: Fixture, room: string, clients: ClientSocket[]): Promise<void> {
	const heard = Promise.all(clients.map((c) => once(c, 'news')));
	fixture.io.to(room).emit('news', room);
	await heard;
}

describe('traffic per room', () => {
	test('broadcasts to a room show as its broadcasts and deliveries on the Rooms page and in /metrics', async () => {
		f = await startFixture({ metrics: { path: '/metrics', rooms: /./ } }, {}, joinAsked);
		const { socket: dashboard } = await f.dashboard();
		const red = await members(f, 'red', 3);
		const blue = await members(f, 'blue', 1);
		for (let i = 0; i < 4; i++) await broadcastTo(f, 'red', red);
		await broadcastTo(f, 'blue', blue);
		// A message to one socket is not a room's traffic.
		const direct = once(blue[0], 'news');
		f.io.to(blue[0].id!).emit('news', 'you');
		await direct;

		// The Rooms page shows the last interval's rates: broadcast to red until a row shows them.
		let sent = 0;
		const rows = async () => {
			await broadcastTo(f!, 'red', red);
			sent++;
			const page = await ask<Page<RoomRow>>(dashboard, 'rooms:query', { namespace: '/' });
			return Object.fromEntries(page.rows.map((r) => [r.name, r.traffic]));
		};
		let shown: Record<string, RoomRow['traffic']> = {};
		await expect
			.poll(async () => (shown = await rows()).red?.broadcasts ?? 0, { timeout: 10_000 })
			.toBeGreaterThan(0);
		// Every broadcast to red reached its three members.
		expect(shown.red!.deliveries).toBeCloseTo(shown.red!.broadcasts * 3, 6);

		const metrics = await (await fetch(`${f.url}/metrics`)).text();
		expect(metrics).toMatch(
			new RegExp(`^socketio_room_broadcasts_total\\{namespace="/",room="red"\\} ${4 + sent}$`, 'm')
		);
		expect(metrics).toMatch(
			new RegExp(
				`^socketio_room_deliveries_total\\{namespace="/",room="red"\\} ${3 * (4 + sent)}$`,
				'm'
			)
		);
		expect(metrics).toMatch(/^socketio_room_broadcasts_total\{namespace="\/",room="blue"\} 1$/m);
		expect(metrics).toMatch(/^socketio_room_deliveries_total\{namespace="\/",room="blue"\} 1$/m);
		expect(metrics).not.toContain(blue[0].id!);
		if (spawnSync('promtool', ['--version']).status === 0) {
			const check = spawnSync('promtool', ['check', 'metrics'], {
				input: metrics,
				encoding: 'utf8'
			});
			expect(check.stdout + check.stderr).toBe('');
		}
	});

	test('no room is labelled in /metrics unless allowed', async () => {
		f = await startFixture({ metrics: { path: '/metrics' } }, {}, joinAsked);
		const red = await members(f, 'red', 1);
		await broadcastTo(f, 'red', red);
		const metrics = await (await fetch(`${f.url}/metrics`)).text();
		expect(metrics).toContain('socketio_broadcasts_total');
		expect(metrics).not.toContain('socketio_room_broadcasts_total');
	});

	test('the table of rooms is bounded like event names, whatever rooms the app broadcasts to', async () => {
		f = await startFixture(
			{ maxEventNames: 3, metrics: { path: '/metrics', rooms: /./ } },
			{},
			joinAsked
		);
		const client = await f.client('/', { query: { room: 'r0' } });
		for (let i = 0; i < 20; i++) {
			// Each broadcast reaches the client through r0, and names one room the table has not seen.
			const heard = once(client, 'news');
			f.io.to(['r0', `r${i + 1}${'x'.repeat(300)}`]).emit('news', i);
			await heard;
		}
		const metrics = await (await fetch(`${f.url}/metrics`)).text();
		const rooms = [
			...metrics.matchAll(/^socketio_room_broadcasts_total\{namespace="\/",room="([^"]*)"\}/gm)
		];
		expect(rooms.length).toBeLessThanOrEqual(3);
		// r0 is sent every broadcast, so it keeps its line (the idle rooms give theirs up).
		expect(rooms.map(([, room]) => room)).toContain('r0');
		for (const [, room] of rooms) expect(room.length).toBeLessThanOrEqual(128);
	});

	test('a metrics.rooms option of the wrong shape is refused', async () => {
		await expect(
			startFixture({ metrics: { path: '/metrics', rooms: 5 as unknown as string[] } })
		).rejects.toThrow(/metrics\.rooms/);
	});
});
