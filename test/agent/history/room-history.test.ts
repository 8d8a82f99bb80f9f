/**
 * Room membership over time, from the agent: a room among its namespace's largest has its history
 * before any dashboard asks, and a room a dashboard opens is kept from then on.
 */
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, test } from 'vitest';
import type { RoomHistory } from '../../../server/protocol/models.js';
import { startFixture, type Fixture } from '../../support/agent-fixture.js';
import { answer, closeDashboards, login, outcome, user } from '../../support/dashboard-client.js';
import { waitFor } from '../../support/util.js';

let fixture: Fixture;
afterEach(() => fixture?.close());

/** Resolves once `count` more samples have been taken (each one a row of history). */
async function samples(watcher: ClientSocket, count: number): Promise<void> {
	for (let i = 0; i < count; i++) await waitFor(watcher, 'stats:sample', 10_000);
}

async function roomHistory(dashboard: ClientSocket, room: string): Promise<RoomHistory> {
	const ack = await answer<RoomHistory>(dashboard, 'room:history', {
		namespace: '/',
		room,
		range: '5m'
	});
	if (!('data' in ack)) throw new Error(JSON.stringify(ack));
	return ack.data;
}

/** The sizes a chart shows, each run of equal values once, buckets without a figure left out. */
function steps(history: RoomHistory): number[] {
	const known = history.size.filter((s): s is number => s !== null);
	return known.filter((s, i) => i === 0 || s !== known[i - 1]);
}

function join(client: ClientSocket, room: string): void {
	void fixture.io.of('/').sockets.get(client.id!)!.join(room);
}

function leave(client: ClientSocket, room: string): void {
	void fixture.io.of('/').sockets.get(client.id!)!.leave(room);
}

describe('room membership history', () => {
	test('a room that existed before the dashboard shows the joins and leaves made', async () => {
		fixture = await startFixture();
		// Counts samples only; it never opens a room.
		const { socket: watcher } = await fixture.dashboard();
		const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map(() => fixture.client('/')));
		join(d, 'quiet');
		await samples(watcher, 2);
		join(a, 'lobby');
		join(b, 'lobby');
		await samples(watcher, 3);
		join(c, 'lobby');
		await samples(watcher, 3);
		leave(a, 'lobby');
		leave(b, 'lobby');
		await samples(watcher, 3);

		const { socket: dashboard } = await fixture.dashboard();
		const history = await roomHistory(dashboard, 'lobby');
		expect(history.step).toBe(200);
		expect(history.size).toHaveLength(history.t.length);
		expect(steps(history)).toEqual([2, 3, 1]);
		// Before the room existed it had no figure, not a made-up zero.
		expect(history.size[0]).toBeNull();
	});

	test('a room outside the largest is kept from the moment a dashboard opens it', async () => {
		fixture = await startFixture({ roomHistory: { largest: 1 } });
		const { socket: dashboard } = await fixture.dashboard();
		const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map(() => fixture.client('/')));
		join(a, 'big');
		join(b, 'big');
		join(c, 'small');
		await samples(dashboard, 3);
		expect(fixture.agent.inspect().roomHistories).toBe(1);
		expect(steps(await roomHistory(dashboard, 'small'))).toEqual([]);
		await samples(dashboard, 2);
		join(d, 'small');
		await samples(dashboard, 2);
		expect(steps(await roomHistory(dashboard, 'small'))).toEqual([1, 2]);
		// inspect() counts the rooms kept: the largest, and the one opened.
		expect(fixture.agent.inspect().roomHistories).toBe(2);
	});

	test("a user scoped to one namespace reads only its rooms' history", async () => {
		fixture = await startFixture(
			{ auth: { users: [user('tom', 'readonly', ['/tenant-a'])] } },
			{},
			(io) => {
				io.of('/tenant-a').on('connection', (s) => s.join('lobby'));
				io.of('/tenant-b').on('connection', (s) => s.join('lobby'));
			}
		);
		try {
			await fixture.client('/tenant-a');
			await fixture.client('/tenant-b');
			const { socket: tom } = await login(fixture, { user: 'tom', password: 'tom-pw' });
			const ask = (namespace: string) =>
				outcome(tom, 'room:history', { namespace, room: 'lobby', range: '1m' });
			expect(await ask('/tenant-b')).toBe('E_FORBIDDEN');
			expect(await ask('/tenant-a')).toBe('ok');
		} finally {
			closeDashboards();
		}
	});

	test('a malformed request is refused', async () => {
		fixture = await startFixture();
		const { socket: dashboard } = await fixture.dashboard();
		expect(
			await outcome(dashboard, 'room:history', { namespace: '/', room: 'x', range: '2d' })
		).toBe('E_VALIDATION');
		expect(
			await outcome(dashboard, 'room:history', { namespace: 'x', room: 'x', range: '5m' })
		).toBe('E_VALIDATION');
	});
});
