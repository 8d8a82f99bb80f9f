import { createAdapter } from '@socket.io/redis-adapter';
import { createClient, type RedisClientType } from 'redis';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Affected, AuditEntry } from '../../../server/protocol/commands.js';
import type { Page } from '../../../server/protocol/models.js';
import { ask, startFixture, type Fixture } from '../../support/agent-fixture.js';
import { describeWithRedis, startRedis, type RedisServer } from '../../support/redis.js';
import { collect, kickLog, outcome } from '../../support/dashboard-client.js';

const clients: RedisClientType[] = [];

async function redisClient(url: string): Promise<RedisClientType> {
	const client = createClient({ url, socket: { reconnectStrategy: () => 100 } }) as RedisClientType;
	// A stopped server makes the client emit errors while it reconnects; that is expected here.
	client.on('error', () => {});
	clients.push(client);
	await client.connect();
	return client;
}

const entries = (dash: ClientSocket) => ask<Page<AuditEntry>>(dash, 'audit:query', { limit: 500 });

describeWithRedis('Redis audit store, two nodes', () => {
	let redis: RedisServer;
	let a: Fixture;
	let b: Fixture;
	let dashA: ClientSocket;
	let dashB: ClientSocket;

	async function node(nodeId: string): Promise<Fixture> {
		const pub = await redisClient(redis.url);
		const sub = await redisClient(redis.url);
		const store = await redisClient(redis.url);
		const label = (socket: { handshake: { auth: { name?: string } } }) =>
			socket.handshake.auth.name ?? '';
		return startFixture({ nodeId, label, audit: { redis: store } }, {}, (io) =>
			io.adapter(createAdapter(pub, sub))
		);
	}

	beforeAll(async () => {
		redis = await startRedis();
		a = await node('node-a');
		b = await node('node-b');
		dashA = (await a.dashboard()).socket;
		dashB = (await b.dashboard()).socket;
	});
	afterAll(async () => {
		await a?.close();
		await b?.close();
		await Promise.all(clients.splice(0).map((c) => c.quit().catch(() => {})));
		await redis?.stop();
	});

	it('shares one trail: each node reads and receives the entries of both', async () => {
		const liveOnB = collect<AuditEntry>(dashB, 'audit:entry');
		await ask(dashA, 'emit:send', { namespace: '/', event: 'from-a', args: [] });
		await ask(dashB, 'emit:send', { namespace: '/', event: 'from-b', args: [] });
		await outcome(dashA, 'emit:send', { namespace: '/', event: 'connect', args: [] });
		await expect
			.poll(() => liveOnB.map((e) => e.nodeId).sort())
			.toEqual(['node-a', 'node-a', 'node-b']);
		for (const dash of [dashA, dashB]) {
			const page = await entries(dash);
			expect(page.total).toBe(3);
			expect(page.rows.map((e) => [e.nodeId, e.outcome, e.target])).toEqual([
				['node-a', 'invalid', ''],
				['node-b', 'ok', 'namespace event from-b'],
				['node-a', 'ok', 'namespace event from-a']
			]);
		}
		const first = await ask<Page<AuditEntry>>(dashB, 'audit:query', { limit: 2 });
		const rest = await ask<Page<AuditEntry>>(dashB, 'audit:query', {
			limit: 2,
			cursor: first.nextCursor
		});
		expect([...first.rows, ...rest.rows]).toEqual((await entries(dashB)).rows);
		expect(rest.nextCursor).toBeNull();
	});

	it('acts on a socket held by the other node', async () => {
		const client = await b.client('/', { auth: { name: 'far-user' } });
		const seen = kickLog(client);
		const id = client.id;
		const joined = await ask<Affected>(dashA, 'socket:join', {
			namespace: '/',
			id: client.id,
			room: 'far'
		});
		expect(joined).toEqual({ sockets: 1, nodes: { 'node-b': 1 } });
		// Node b joined it before answering; the adapter may still be relaying its news.
		await expect
			.poll(async () => (await b.io.in('far').fetchSockets()).map((s) => s.id))
			.toEqual([client.id]);
		await ask(dashA, 'socket:disconnect', { namespace: '/', id: client.id, reason: 'cluster' });
		await expect.poll(() => seen).toEqual(['kicked: cluster', 'io server disconnect']);
		// Node a wrote the entries; node b, which holds the socket, told it the label.
		const kick = (await entries(dashB)).rows.find((e) => e.command === 'socket:disconnect');
		expect(kick).toMatchObject({
			nodeId: 'node-a',
			target: `socket ${id}`,
			labels: ['far-user']
		});
	});
});

describeWithRedis('Redis audit store failure', () => {
	let redis: RedisServer;
	let fx: Fixture;
	let store: RedisClientType;

	beforeAll(async () => {
		redis = await startRedis();
		store = await redisClient(redis.url);
		fx = await startFixture({ audit: { redis: store } });
	});
	afterAll(async () => {
		await fx?.close();
		await store?.quit().catch(() => {});
		await redis?.stop();
	});

	it('refuses to act when the entry cannot be written, counts it, and recovers with the store', async () => {
		const { socket: dash } = await fx.dashboard();
		const client = await fx.client('/');
		const faults = fx.agent.latestSample()?.faults ?? 0;
		await redis.stop();
		await expect.poll(() => store.isReady).toBe(false);
		expect(await outcome(dash, 'socket:disconnect', { namespace: '/', id: client.id })).toBe(
			'E_AUDIT'
		);
		expect(await outcome(dash, 'audit:query', {})).toBe('E_AUDIT');
		expect(client.connected).toBe(true);
		await expect.poll(() => fx.agent.latestSample()?.faults ?? 0).toBeGreaterThan(faults);

		await redis.restart();
		await expect
			.poll(() => outcome(dash, 'socket:join', { namespace: '/', id: client.id, room: 'back' }), {
				timeout: 10_000
			})
			.toBe('ok');
		expect((await entries(dash)).rows.map((e) => e.outcome)).toEqual(['ok']);
	});
});
