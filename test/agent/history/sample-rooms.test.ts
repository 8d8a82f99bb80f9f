/**
 * A namespace's top rooms in the samples follow every change of membership: the sampler reads
 * them again only when the namespace's rooms may have changed (a join, a leave, a disconnect, a
 * recovered session), and keeps the last ones otherwise.
 */
import { afterAll, expect, test } from 'vitest';
import type { Sample } from '../../../server/protocol/models.js';
import { nextSample, startFixture, type Fixture } from '../../support/agent-fixture.js';

let f: Fixture;
afterAll(() => f?.close());

/** The top rooms of namespace `/r` in a sample, by name. */
const roomsOf = (s: Sample) =>
	Object.fromEntries(
		(s.namespaces.find((n) => n.name === '/r')?.topRooms ?? [])
			.map((r) => [r.name, r.size] as const)
			.sort(([a], [b]) => a.localeCompare(b))
	);
const sorted = (rooms: Record<string, number>) =>
	JSON.stringify(Object.fromEntries(Object.entries(rooms).sort(([a], [b]) => a.localeCompare(b))));
const sampleWithRooms = (socket: Parameters<typeof nextSample>[0], rooms: Record<string, number>) =>
	nextSample(socket, (s) => JSON.stringify(roomsOf(s)) === sorted(rooms));

test('top rooms follow joins, leaves, disconnects and recovered sessions, and hold when nothing moves', async () => {
	f = await startFixture(
		{},
		{ connectionStateRecovery: { maxDisconnectionDuration: 60_000, skipMiddlewares: true } },
		(io) =>
			io.of('/r').on('connection', (socket) => {
				socket.on('join', (room: string) => socket.join(room));
				socket.on('leave', (room: string) => socket.leave(room));
			})
	);
	const { socket: dashboard } = await f.dashboard();
	const a = await f.client('/r', { reconnection: true, reconnectionDelay: 50 });
	const b = await f.client('/r');
	const c = await f.client('/r');
	a.emit('join', 'x');
	b.emit('join', 'x');
	b.emit('join', 'y');
	await sampleWithRooms(dashboard, { x: 2, y: 1 });

	// Nothing moves: the next samples still list them (read once, kept).
	await nextSample(dashboard);
	expect(roomsOf(await nextSample(dashboard))).toEqual({ x: 2, y: 1 });

	// Joined by the server, not by a client's event.
	f.io.of('/r').in(c.id!).socketsJoin('y');
	await sampleWithRooms(dashboard, { x: 2, y: 2 });

	c.emit('leave', 'y');
	await sampleWithRooms(dashboard, { x: 2, y: 1 });

	b.disconnect();
	await sampleWithRooms(dashboard, { x: 1 });

	// A's transport drops and its session comes back recovered, in its room again. socket.io
	// recovers a session from the last broadcast its client received: one is sent first.
	const received = new Promise((resolve) => a.once('news', resolve));
	f.io.of('/r').emit('news');
	await received;
	a.io.engine.close();
	await nextSample(dashboard, (s) => s.namespaces.some((n) => n.name === '/r' && n.recovered > 0));
	await sampleWithRooms(dashboard, { x: 1 });
	expect(a.recovered).toBe(true);

	// A room made and left between two samples leaves no trace; the rest is read again.
	c.emit('join', 'z');
	c.emit('leave', 'z');
	a.emit('join', 'w');
	await sampleWithRooms(dashboard, { x: 1, w: 1 });
}, 30_000);
