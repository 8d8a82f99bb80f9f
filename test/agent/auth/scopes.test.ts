import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../server/protocol/commands.js';
import type { History, Page, RoomRow, SocketRow } from '../../../server/protocol/models.js';
import { ask, nextSample, startFixture, type Fixture } from '../../support/agent-fixture.js';
import { closeDashboards, collect, login, outcome, user } from '../../support/dashboard-client.js';

let fx: Fixture;
let a: ClientSocket;
let b: ClientSocket;
const dashboards: Record<string, ClientSocket> = {};

beforeAll(async () => {
	const users = [
		user('alice', 'admin'),
		user('rita', 'readonly'),
		user('tom', 'admin', ['/tenant-a'])
	];
	fx = await startFixture({ auth: { users } }, {}, (io) => {
		io.of('/tenant-a').on('connection', (s) => s.join('lobby'));
		io.of('/tenant-b').on('connection', (s) => s.join('lobby'));
	});
	a = await fx.client('/tenant-a');
	b = await fx.client('/tenant-b');
	for (const name of ['alice', 'rita', 'tom']) {
		dashboards[name] = (await login(fx, { user: name, password: `${name}-pw` })).socket;
	}
});
afterAll(async () => {
	closeDashboards();
	await fx.close();
});

/** One valid payload of every command, aimed at a namespace and one of its sockets. */
function everyCommand(namespace: string, id: string): [string, Record<string, unknown>][] {
	return [
		['socket:disconnect', { namespace, id, reason: 'x' }],
		['socket:join', { namespace, id, room: 'x' }],
		['socket:leave', { namespace, id, room: 'lobby' }],
		['socket:move', { namespace, id, from: 'lobby', to: 'y' }],
		['emit:send', { namespace, event: 'test', args: [1] }],
		['room:move', { namespace, room: 'lobby', to: 'y' }],
		['room:disconnect', { namespace, room: 'lobby' }]
	];
}

describe('roles', () => {
	it('refuses every command of a read-only user, and of a user scoped to another namespace, changing nothing', async () => {
		const events = [collect(a, 'test'), collect(b, 'test')];
		const attempts = [
			...everyCommand('/tenant-a', a.id!).map((c) => ['rita', ...c] as const),
			...everyCommand('/tenant-b', b.id!).map((c) => ['rita', ...c] as const),
			...everyCommand('/tenant-b', b.id!).map((c) => ['tom', ...c] as const)
		];
		for (const [who, event, payload] of attempts) {
			expect(`${who} ${event}: ${await outcome(dashboards[who], event, payload)}`).toBe(
				`${who} ${event}: E_FORBIDDEN`
			);
		}
		const arrived = [a, b].map((s) => new Promise((resolve) => s.once('barrier', resolve)));
		fx.io.of('/tenant-a').emit('barrier');
		fx.io.of('/tenant-b').emit('barrier');
		await Promise.all(arrived);
		expect(events).toEqual([[], []]);
		expect([a.connected, b.connected]).toEqual([true, true]);
		for (const [ns, s] of [
			['/tenant-a', a],
			['/tenant-b', b]
		] as const) {
			expect((await fx.io.of(ns).in('lobby').fetchSockets()).map((x) => x.id)).toEqual([s.id]);
			expect(await fx.io.of(ns).in(['x', 'y']).fetchSockets()).toEqual([]);
		}
		const trail = await ask<Page<AuditEntry>>(dashboards.alice, 'audit:query', { limit: 500 });
		const refused = trail.rows.filter((e) => e.outcome === 'refused' && e.code === 'E_FORBIDDEN');
		expect(refused).toHaveLength(attempts.length);
	});

	it('lets a scoped admin act in its own namespace', async () => {
		const got = collect(a, 'hello');
		expect(
			await ask(dashboards.tom, 'emit:send', {
				namespace: '/tenant-a',
				socket: a.id,
				event: 'hello',
				args: ['tom']
			})
		).toMatchObject({
			sockets: 1
		});
		await expect.poll(() => got).toEqual(['tom']);
	});
});

describe('a scoped principal', () => {
	const tenantA = (names: string[]) => names.every((n) => n === '/tenant-a');

	it('sees only its namespaces in snapshots and samples', async () => {
		const { snapshot } = await login(fx, { user: 'tom', password: 'tom-pw' });
		expect(snapshot.namespaces.map((n) => n.name)).toEqual(['/tenant-a']);
		expect(snapshot.samples.every((s) => tenantA(s.namespaces.map((n) => n.name)))).toBe(true);
		const sample = await nextSample(dashboards.tom);
		expect(sample.namespaces.map((n) => n.name)).toEqual(['/tenant-a']);
	});

	it("sees the nodes' shared health, but not the agent's faults nor the engine's errors", async () => {
		const { snapshot } = await login(fx, { user: 'tom', password: 'tom-pw' });
		const tenant = [...snapshot.samples, await nextSample(dashboards.tom)];
		for (const s of tenant) {
			expect(s.process.cpu).toBeTypeOf('number');
			expect(s).not.toHaveProperty('faults');
			expect(s.connectionErrors).toBeUndefined();
		}
		expect((await nextSample(dashboards.alice)).faults).toBeTypeOf('number');
	});

	it('finds nothing of other namespaces in queries', async () => {
		const tom = dashboards.tom;
		const sockets = await ask<Page<SocketRow>>(tom, 'sockets:query', {});
		expect(sockets.rows.map((r) => r.id)).toEqual([a.id]);
		expect(
			(await ask<Page<SocketRow>>(tom, 'sockets:query', { namespace: '/tenant-b' })).rows
		).toEqual([]);
		const rooms = await ask<Page<RoomRow>>(tom, 'rooms:query', {});
		expect(tenantA(rooms.rows.map((r) => r.namespace))).toBe(true);
		expect(
			(await ask<Page<SocketRow>>(tom, 'room:members', { namespace: '/tenant-b', room: 'lobby' }))
				.rows
		).toEqual([]);
		expect(await outcome(tom, 'socket:details', { namespace: '/tenant-b', id: b.id })).toBe(
			'E_NOT_FOUND'
		);
		expect((await ask<{ rows: { name: string }[] }>(tom, 'namespaces:query', {})).rows.map((n) => n.name)).toEqual(
			['/tenant-a']
		);
		const [history] = await ask<History[]>(tom, 'history:query', { range: '1m' });
		expect(tenantA(Object.keys(history.namespaces))).toBe(true);
	});

	it('reads and receives only the audit entries of its namespaces; read-only users see them all', async () => {
		const live = collect<AuditEntry>(dashboards.tom, 'audit:entry');
		const liveAll = collect<AuditEntry>(dashboards.rita, 'audit:entry');
		await ask(dashboards.alice, 'emit:send', { namespace: '/tenant-b', event: 'test', args: [] });
		await ask(dashboards.alice, 'emit:send', { namespace: '/tenant-a', event: 'test', args: [] });
		await expect.poll(() => live.length).toBe(1);
		expect(live[0].namespace).toBe('/tenant-a');
		await expect.poll(() => liveAll.map((e) => e.namespace)).toEqual(['/tenant-b', '/tenant-a']);

		const scoped = await ask<Page<AuditEntry>>(dashboards.tom, 'audit:query', { limit: 500 });
		expect(scoped.rows.length).toBeGreaterThan(0);
		expect(tenantA(scoped.rows.map((e) => e.namespace!))).toBe(true);
		expect(scoped.total).toBe(scoped.rows.length);
		const all = await ask<Page<AuditEntry>>(dashboards.rita, 'audit:query', { limit: 500 });
		expect(all.rows.some((e) => e.namespace === '/tenant-b')).toBe(true);
	});
});
