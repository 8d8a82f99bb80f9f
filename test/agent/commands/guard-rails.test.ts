/**
 * Scope and audit hold against a hostile user: a scoped admin cannot close a connection that also
 * carries other tenants' sockets, junk from a read-only user cannot push admins' actions out of
 * the trail, a dashboard ends with its session, and a socket's own room is no room to target.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { Manager, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../server/protocol/commands.js';
import type { Page } from '../../../server/protocol/models.js';
import { ask, startFixture, type Fixture } from '../../support/agent-fixture.js';
import { closeDashboards, login, outcome, user } from '../../support/dashboard-client.js';
import { describeWithRedis, startRedis, type RedisServer } from '../../support/redis.js';

let fx: Fixture | undefined;
const managers: Manager[] = [];
afterEach(async () => {
	closeDashboards();
	for (const m of managers.splice(0)) m.engine?.close();
	await fx?.close();
	fx = undefined;
});

const users = [
	user('alice', 'admin'),
	user('rita', 'readonly'),
	user('tom', 'admin', ['/tenant-a'])
];
const unlimited = {
	requestsPerSecond: 1e6,
	burst: 1e6,
	inFlight: 1e4,
	userRequestsPerSecond: 1e6,
	userInFlight: 1e4
};

async function start(options: object = {}): Promise<Fixture> {
	fx = await startFixture({ auth: { users }, ...options }, {}, (io) => {
		io.of('/tenant-a');
		io.of('/tenant-b');
	});
	return fx;
}

/** Sockets of several namespaces over one connection, as one browser tab of a multi-tenant app. */
async function sharedConnection(f: Fixture, namespaces: string[]): Promise<ClientSocket[]> {
	const manager = new Manager(f.url, {
		forceNew: true,
		reconnection: false,
		transports: ['websocket']
	});
	managers.push(manager);
	const sockets = namespaces.map((ns) => manager.socket(ns));
	await Promise.all(
		sockets.map((s) => new Promise<void>((resolve) => s.once('connect', () => resolve())))
	);
	return sockets;
}

describe('a scoped admin', () => {
	it('may close a whole connection only when it sees every socket on it', async () => {
		const f = await start();
		const [mixedA, mixedB] = await sharedConnection(f, ['/tenant-a', '/tenant-b']);
		const [ownA] = await sharedConnection(f, ['/tenant-a']);
		const { socket: tom } = await login(f, { user: 'tom', password: 'tom-pw' });
		const close = (id: string) =>
			outcome(tom, 'socket:disconnect', { namespace: '/tenant-a', id, close: true });
		expect(await close(mixedA.id!)).toBe('E_FORBIDDEN');
		expect([mixedA.connected, mixedB.connected]).toEqual([true, true]);
		const gone = new Promise((resolve) => ownA.once('disconnect', resolve));
		expect(await close(ownA.id!)).toBe('ok');
		await gone;
		// Without `close`, its own socket on the shared connection is its to kick.
		expect(await outcome(tom, 'socket:disconnect', { namespace: '/tenant-a', id: mixedA.id })).toBe(
			'ok'
		);
	});
});

/** The stores, each keeping 1,000 entries of a kind (SQLite and Redis up to a trim's slack more). */
const stores: { name: string; audit: () => object; redis?: true }[] = [
	{ name: 'memory', audit: () => ({}) },
	{ name: 'SQLite', audit: () => ({ sqlite: join(tmp!, 'audit.db'), durable: 1000 }) },
	{ name: 'Redis', audit: () => ({ redis: redisClient, durable: 1000 }), redis: true }
];
let tmp: string | undefined;
let redis: RedisServer | undefined;
let redisClient: ReturnType<typeof createClient> | undefined;
afterAll(async () => {
	if (tmp) rmSync(tmp, { recursive: true, force: true });
	await redisClient?.quit();
	await redis?.stop();
});

for (const store of stores) {
	const suite = store.redis ? describeWithRedis : describe;
	suite(`the audit trail (${store.name} store)`, () => {
		beforeAll(async () => {
			tmp ??= mkdtempSync(join(tmpdir(), 'sockscope-guard-rails-'));
			if (store.redis && !redisClient) {
				redis = await startRedis();
				redisClient = createClient({ url: redis.url });
				await redisClient.connect();
			}
		});

		it('keeps admins’ actions when a read-only user sends 1,100 refused commands', async () => {
			const f = await start({ limits: unlimited, audit: store.audit() });
			const { socket: alice } = await login(f, { user: 'alice', password: 'alice-pw' });
			const { socket: rita } = await login(f, { user: 'rita', password: 'rita-pw' });
			expect(
				await outcome(alice, 'emit:send', { namespace: '/tenant-a', event: 'notice', args: [] })
			).toBe('ok');
			const junk = Array.from({ length: 1100 }, () =>
				outcome(rita, 'emit:send', { namespace: '/tenant-a', event: 'x', args: [] })
			);
			expect(new Set(await Promise.all(junk))).toEqual(new Set(['E_FORBIDDEN']));
			const rows: AuditEntry[] = [];
			let cursor: string | undefined;
			do {
				const page: Page<AuditEntry> = await ask(alice, 'audit:query', {
					limit: 500,
					...(cursor ? { cursor } : {})
				});
				rows.push(...page.rows);
				cursor = page.nextCursor ?? undefined;
			} while (cursor);
			expect(rows.filter((e) => e.outcome === 'ok').map((e) => e.principal?.name)).toEqual([
				'alice'
			]);
			const refused = rows.filter((e) => e.outcome === 'refused').length;
			expect(refused).toBeGreaterThanOrEqual(1000);
			expect(refused).toBeLessThan(1100);
			expect(new Set(rows.map((e) => e.id)).size).toBe(rows.length);
			// Newest first, in the store's own order: `n` (memory, SQLite) or `ms-seq[-r]` (Redis).
			const order = rows.map((e) => e.id.split('-').slice(0, 2).map(Number));
			const older = (a: number[], b: number[]) => a[0] - b[0] || (a[1] ?? 0) - (b[1] ?? 0);
			expect(order).toEqual([...order].sort((a, b) => older(b, a)));
		});
	});
}

describe('an open dashboard', () => {
	it('is disconnected when its session expires', async () => {
		const f = await start({ auth: { users, sessionTtl: 1 } });
		const { socket } = await login(f, { user: 'alice', password: 'alice-pw' });
		const reason = await new Promise((resolve) => socket.once('disconnect', resolve));
		expect(reason).toBe('io server disconnect');
	});
});

describe('room targets', () => {
	it('refuse a socket’s own room', async () => {
		const f = await start();
		const [a] = await sharedConnection(f, ['/tenant-a']);
		const [b] = await sharedConnection(f, ['/tenant-a']);
		await new Promise<void>((resolve) => {
			f.io.of('/tenant-a').in(a.id!).socketsJoin('lobby');
			setTimeout(resolve, 50);
		});
		const { socket: alice } = await login(f, { user: 'alice', password: 'alice-pw' });
		const ns = '/tenant-a';
		expect(await outcome(alice, 'socket:join', { namespace: ns, id: a.id, room: b.id })).toBe(
			'E_VALIDATION'
		);
		expect(
			await outcome(alice, 'socket:move', { namespace: ns, id: a.id, from: 'lobby', to: b.id })
		).toBe('E_VALIDATION');
		expect(await outcome(alice, 'room:move', { namespace: ns, room: 'lobby', to: b.id })).toBe(
			'E_VALIDATION'
		);
		expect((await f.io.of(ns).in(b.id!).fetchSockets()).map((s) => s.id)).toEqual([b.id]);
		expect(await outcome(alice, 'socket:join', { namespace: ns, id: a.id, room: 'games' })).toBe(
			'ok'
		);
	});
});
