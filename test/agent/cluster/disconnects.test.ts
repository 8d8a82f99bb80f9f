/**
 * Disconnects across a cluster (two nodes, real Redis): a user whose sessions landed on both
 * nodes has one history, in time order, whichever node the dashboard asks; a kick from a
 * dashboard on one node of a socket on the other keeps who kicked and why.
 */
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient, type RedisClientType } from 'redis';
import type { Server } from 'socket.io';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DisconnectPatterns, DisconnectRow, Page } from '../../../server/protocol/models.js';
import { ask, startFixture, type Fixture } from '../../support/agent-fixture.js';
import { describeWithRedis, startRedis, type RedisServer } from '../../support/redis.js';

const clients: RedisClientType[] = [];

async function redisClient(url: string): Promise<RedisClientType> {
	const client = createClient({ url, socket: { reconnectStrategy: () => 100 } }) as RedisClientType;
	client.on('error', () => {});
	clients.push(client);
	await client.connect();
	return client;
}

/** Resolves when the server has seen socket `id` of `/` disconnect, with its reason. */
function serverSideGone(io: Server, id: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = io.of('/').sockets.get(id);
		if (!socket) return reject(new Error(`no socket ${id}`));
		socket.once('disconnect', (reason) => resolve(reason));
	});
}

describeWithRedis('disconnects on two nodes', () => {
	let redis: RedisServer;
	let a: Fixture;
	let b: Fixture;
	let dashA: ClientSocket;
	let dashB: ClientSocket;

	async function node(nodeId: string): Promise<Fixture> {
		const pub = await redisClient(redis.url);
		const sub = await redisClient(redis.url);
		return startFixture(
			{
				nodeId,
				label: (socket) => String((socket.handshake.auth as { name?: string }).name ?? '')
			},
			{},
			(io) => {
				io.adapter(createAdapter(pub, sub));
				io.on('connection', (socket) => void socket.join(`room-${nodeId}`));
			}
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

	it("lists alice's sessions on both nodes as one history in time order, a cross-node kick with who and why", async () => {
		// Both nodes know each other before anything is asked (each has the other's sample).
		for (const f of [a, b]) {
			await expect.poll(() => f.agent.latestSample()?.cluster?.nodes, { timeout: 10_000 }).toBe(2);
		}
		const sessions: { node: string; id: string; reason: string }[] = [];
		// On A: its transport killed.
		let alice = await a.client('/', { auth: { name: 'alice' } });
		let gone = serverSideGone(a.io, alice.id!);
		sessions.push({ node: 'node-a', id: alice.id!, reason: 'transport close' });
		alice.io.engine.close();
		await gone;
		// On B: it leaves itself.
		alice = await b.client('/', { auth: { name: 'alice' } });
		gone = serverSideGone(b.io, alice.id!);
		sessions.push({ node: 'node-b', id: alice.id!, reason: 'client namespace disconnect' });
		alice.disconnect();
		await gone;
		// On A again: its transport killed.
		alice = await a.client('/', { auth: { name: 'alice' } });
		gone = serverSideGone(a.io, alice.id!);
		sessions.push({ node: 'node-a', id: alice.id!, reason: 'transport close' });
		alice.io.engine.close();
		await gone;
		// On B: kicked by a dashboard on A.
		alice = await b.client('/', { auth: { name: 'alice' } });
		gone = serverSideGone(b.io, alice.id!);
		sessions.push({ node: 'node-b', id: alice.id!, reason: 'server namespace disconnect' });
		await ask(dashA, 'socket:disconnect', { namespace: '/', id: alice.id, reason: 'flooding' });
		await gone;

		const expected = [...sessions].reverse().map((s) => [s.node, s.id, s.reason]);
		for (const dash of [dashA, dashB]) {
			// The note of the kick travels apart from the disconnect: wait until it is kept.
			await expect
				.poll(
					async () =>
						(await ask<Page<DisconnectRow>>(dash, 'disconnects:query', { text: 'alice' })).rows[0]
							?.kick,
					{ timeout: 5000, interval: 300 }
				)
				.toEqual({ by: 'anonymous', reason: 'flooding' });
			const page = await ask<Page<DisconnectRow>>(dash, 'disconnects:query', { text: 'alice' });
			expect(page.missingNodes).toEqual([]);
			expect(page.total).toBe(4);
			expect(page.rows.map((r) => [r.nodeId, r.id, r.reason])).toEqual(expected);
			const times = page.rows.map((r) => r.t);
			expect([...times].sort((x, y) => y - x)).toEqual(times);
			expect(page.rows.map((r) => r.rooms)).toEqual(
				[...sessions].reverse().map((s) => [`room-${s.node}`])
			);
			expect(page.rows[0].kick).toEqual({ by: 'anonymous', reason: 'flooding' });

			// Paged across the nodes: two by two, the same order.
			const first = await ask<Page<DisconnectRow>>(dash, 'disconnects:query', { text: 'alice', limit: 2 });
			const second = await ask<Page<DisconnectRow>>(dash, 'disconnects:query', {
				text: 'alice',
				limit: 2,
				cursor: first.nextCursor
			});
			expect([...first.rows, ...second.rows].map((r) => r.id)).toEqual(expected.map((e) => e[1]));
			expect(second.nextCursor).toBeNull();
		}

		const patterns = await ask<DisconnectPatterns>(dashB, 'disconnects:patterns', { label: 'alice' });
		expect(patterns.total).toBe(4);
		expect(patterns.byReason).toEqual({
			'transport close': 2,
			'client namespace disconnect': 1,
			'server namespace disconnect': 1
		});
		expect(patterns.durations).toHaveLength(4);
	});
});
