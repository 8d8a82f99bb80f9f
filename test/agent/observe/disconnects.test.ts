/**
 * The record of recent disconnects: a labelled client dropped three ways (its transport killed,
 * a ping timeout, a kick from a dashboard) is found by its label with each reason, duration and
 * its rooms, and the kick with who kicked and why; a client that keeps dropping is one row; a
 * tenant sees only its namespaces.
 */
import { afterEach, expect, test } from 'vitest';
import type { Server, Socket as ServerSocket } from 'socket.io';
import type { Socket as ClientSocket } from 'socket.io-client';
import type {
	DisconnectPatterns,
	DisconnectRow,
	Page,
	Principal
} from '../../../server/protocol/models.js';
import { ask, startFixture, type Fixture } from '../../support/agent-fixture.js';

let f: Fixture | undefined;

afterEach(async () => {
	await f?.close();
	f = undefined;
});

/** Dashboards are let in by name: `ops` is an admin, `tenant` sees `/other` only. */
function principalOf(auth: { user?: string }): Principal {
	return auth.user === 'tenant'
		? { name: 'tenant', role: 'readonly', namespaces: ['/other'] }
		: { name: 'ops-anna', role: 'admin' };
}

/** A server whose sockets are labelled by their `auth.name` and join two rooms on connection. */
function start(serverOptions = {}, onConnect?: (socket: ServerSocket) => void): Promise<Fixture> {
	const setup = (io: Server) => {
		for (const nsp of [io.of('/'), io.of('/other')]) {
			nsp.on('connection', (socket) => {
				void socket.join(['lobby', 'team-red']);
				onConnect?.(socket);
			});
		}
	};
	return startFixture(
		{
			label: (socket) => String((socket.handshake.auth as { name?: string }).name ?? ''),
			auth: { authorize: (h) => principalOf(h.auth as { user?: string }) }
		},
		serverOptions,
		setup
	);
}

/** Resolves when the server has seen socket `id` of `namespace` disconnect, with its reason. */
function serverSideGone(io: Server, namespace: string, id: string): Promise<string> {
	return new Promise((resolve) => {
		const socket = io.of(namespace).sockets.get(id);
		if (!socket) throw new Error(`no socket ${id}`);
		socket.once('disconnect', (reason) => resolve(reason));
	});
}

/** A client that stops answering the server's heartbeats: its engine drops its pongs. */
function stopPongs(client: ClientSocket): void {
	const engine = client.io.engine as unknown as { _sendPacket(type: string, ...rest: unknown[]): void };
	const send = engine._sendPacket.bind(engine);
	engine._sendPacket = (type, ...rest) => {
		if (type !== 'pong') send(type, ...rest);
	};
}

test('alice dropped three ways is listed three times with reasons, durations, rooms and the kick', async () => {
	// Heartbeats a few times a second, so that the dropped pongs' timeout comes within seconds; each
	// has 3 s to be answered, so that a loaded machine does not time out the other sessions too.
	f = await start({ pingInterval: 150, pingTimeout: 3000 });
	const { socket: dashboard, snapshot } = await f.dashboard({ user: 'ops' });
	expect(snapshot.features).toContain('disconnects');

	// 1. Its transport killed under it.
	const first = await f.client('/', { auth: { name: 'alice' } });
	// The client forgets its id once disconnected.
	const ids = [first.id!];
	const firstGone = serverSideGone(f.io, '/', first.id!);
	first.io.engine.close();
	expect(await firstGone).toBe('transport close');

	// 2. It stops answering heartbeats.
	const second = await f.client('/', { auth: { name: 'alice' } });
	ids.push(second.id!);
	const secondGone = serverSideGone(f.io, '/', second.id!);
	stopPongs(second);
	expect(await secondGone).toBe('ping timeout');

	// Someone else, whom the search must leave out.
	const bob = await f.client('/', { auth: { name: 'bob' } });
	const bobGone = serverSideGone(f.io, '/', bob.id!);
	bob.disconnect();
	await bobGone;

	// 3. Kicked from the dashboard, with a reason.
	const third = await f.client('/', { auth: { name: 'alice' } });
	ids.push(third.id!);
	const thirdGone = serverSideGone(f.io, '/', third.id!);
	await ask(dashboard, 'socket:disconnect', { namespace: '/', id: ids[2], reason: 'spamming the lobby' });
	expect(await thirdGone).toBe('server namespace disconnect');

	const page = await ask<Page<DisconnectRow>>(dashboard, 'disconnects:query', { text: 'alice' });
	expect(page.total).toBe(3);
	expect(page.rows.map((r) => [r.id, r.reason, r.count])).toEqual([
		[ids[2], 'server namespace disconnect', 1],
		[ids[1], 'ping timeout', 1],
		[ids[0], 'transport close', 1]
	]);
	for (const row of page.rows) {
		expect(row.label).toBe('alice');
		expect(row.namespace).toBe('/');
		expect([...row.rooms].sort()).toEqual(['lobby', 'team-red']);
		expect(row.roomCount).toBe(2);
		expect(row.description).not.toBe('');
		expect(row.duration).toBeGreaterThanOrEqual(0);
		expect(row.duration).toBe(row.t - row.connectedAt);
		expect(row.transport).toBe('websocket');
		expect(row.address).toMatch(/127\.0\.0\.1/);
	}
	// The ping timeout took at least a heartbeat's interval and its timeout.
	expect(page.rows[1].duration).toBeGreaterThanOrEqual(300);
	expect(page.rows[0].kick).toEqual({ by: 'ops-anna', reason: 'spamming the lobby' });
	expect(page.rows[1].kick).toBeUndefined();
	expect(page.rows[2].kick).toBeUndefined();

	// Found by reason too, and by exact reason.
	const timeouts = await ask<Page<DisconnectRow>>(dashboard, 'disconnects:query', { reason: 'ping timeout' });
	expect(timeouts.rows.map((r) => r.id)).toEqual([ids[1]]);
	const byText = await ask<Page<DisconnectRow>>(dashboard, 'disconnects:query', { text: 'spamming' });
	expect(byText.rows.map((r) => r.id)).toEqual([ids[2]]);

	// Paged: one disconnect a page, in the same order, the cursor carrying on.
	const seen: string[] = [];
	let cursor: string | undefined;
	do {
		const p: Page<DisconnectRow> = await ask(dashboard, 'disconnects:query', {
			text: 'alice',
			limit: 1,
			...(cursor !== undefined && { cursor })
		});
		seen.push(...p.rows.map((r) => r.id));
		cursor = p.nextCursor ?? undefined;
	} while (cursor !== undefined);
	expect(seen).toEqual([...ids].reverse());

	const patterns = await ask<DisconnectPatterns>(dashboard, 'disconnects:patterns', { label: 'alice' });
	expect(patterns.total).toBe(3);
	expect(patterns.byReason).toEqual({
		'transport close': 1,
		'ping timeout': 1,
		'server namespace disconnect': 1
	});
	expect(patterns.namespaces).toEqual({ '/': 3 });
	expect(patterns.durations).toEqual(page.rows.map((r) => r.duration));
	expect(patterns.medianDuration).toBe([...patterns.durations].sort((a, b) => a - b)[1]);

	// A tenant of /other sees none of it; a query naming two clients is refused.
	const { socket: tenant } = await f.dashboard({ user: 'tenant' });
	const hidden = await ask<Page<DisconnectRow>>(tenant, 'disconnects:query', { text: 'alice' });
	expect(hidden.rows).toEqual([]);
	expect(hidden.total).toBe(0);
	await expect(
		ask(dashboard, 'disconnects:patterns', { label: 'alice', address: '127.0.0.1' })
	).rejects.toMatchObject({ code: 'E_VALIDATION' });

	expect(f.agent.inspect().disconnects).toEqual({ kept: 4, keep: 2000, pendingKicks: 0 });
	expect(f.agent.inspect().faults).toBe(0);
});

test('a client that keeps dropping and reconnecting is one row with its count and median time connected', async () => {
	const LIFE_MS = 300;
	const DROPS = 12;
	// The server drops the flapping client's connection a while after each connect.
	let drops = 0;
	let dropped!: () => void;
	const allDropped = new Promise<void>((resolve) => (dropped = resolve));
	f = await start({}, (socket) => {
		if ((socket.handshake.auth as { name?: string }).name !== 'flappy') return;
		const timer = setTimeout(() => socket.conn.close(), LIFE_MS);
		socket.once('disconnect', () => {
			clearTimeout(timer);
			if (++drops === DROPS) dropped();
		});
	});
	const { socket: dashboard } = await f.dashboard({ user: 'ops' });
	const steady = await f.client('/', { auth: { name: 'steady' } });
	const flappy = await f.client('/', {
		auth: { name: 'flappy' },
		reconnection: true,
		reconnectionDelay: 50,
		reconnectionDelayMax: 50,
		randomizationFactor: 0
	});
	await allDropped;
	flappy.io.reconnection(false);
	const page = await ask<Page<DisconnectRow>>(dashboard, 'disconnects:query', { text: 'flappy' });
	expect(page.total).toBeGreaterThanOrEqual(DROPS);
	expect(page.rows).toHaveLength(1);
	const [row] = page.rows;
	expect(row.label).toBe('flappy');
	expect(row.count).toBe(page.total);
	expect(row.group).toHaveLength(page.total);
	expect(row.reason).toBe('forced close');
	expect(row.medianDuration).toBeGreaterThanOrEqual(LIFE_MS - 5);
	expect(row.medianDuration).toBeLessThan(LIFE_MS * 4);
	// The newest of the run is the row itself.
	expect(row.group![0].key).toBe(row.key);

	// The whole list leaves the steady client's row apart, and the flapping one is still one row.
	const steadyGone = serverSideGone(f.io, '/', steady.id!);
	steady.disconnect();
	await steadyGone;
	const all = await ask<Page<DisconnectRow>>(dashboard, 'disconnects:query', {});
	expect(all.rows[0].label).toBe('steady');
	expect(all.rows.filter((r) => r.label === 'flappy').length).toBeLessThanOrEqual(2);
	const patterns = await ask<DisconnectPatterns>(dashboard, 'disconnects:patterns', { label: 'flappy' });
	expect(patterns.total).toBeGreaterThanOrEqual(DROPS);
	expect(patterns.byReason['forced close']).toBe(patterns.total);
	expect(patterns.medianDuration).toBeGreaterThanOrEqual(LIFE_MS - 5);
});

test('`disconnects: false` keeps none and says so', async () => {
	f = await startFixture({ disconnects: false });
	const { socket: dashboard, snapshot } = await f.dashboard();
	expect(snapshot.features).not.toContain('disconnects');
	const client = await f.client('/');
	const gone = serverSideGone(f.io, '/', client.id!);
	client.disconnect();
	await gone;
	const page = await ask<Page<DisconnectRow>>(dashboard, 'disconnects:query', {});
	expect(page.rows).toEqual([]);
	expect(f.agent.inspect().disconnects).toEqual({ kept: 0, keep: 0, pendingKicks: 0 });
});

test('the ring keeps the last `keep` disconnects', async () => {
	f = await startFixture({ disconnects: { keep: 3 } });
	const { socket: dashboard } = await f.dashboard();
	const ids: string[] = [];
	for (let i = 0; i < 5; i++) {
		const client = await f.client('/');
		ids.push(client.id!);
		const gone = serverSideGone(f.io, '/', client.id!);
		client.disconnect();
		await gone;
	}
	const page = await ask<Page<DisconnectRow>>(dashboard, 'disconnects:query', {});
	// Without labels, consecutive drops of one address for one reason fold into one row.
	expect(page.rows).toHaveLength(1);
	expect(page.rows[0].group!.map((e) => e.id)).toEqual(ids.slice(2).reverse());
	expect(page.rows[0].reason).toBe('client namespace disconnect');
});
