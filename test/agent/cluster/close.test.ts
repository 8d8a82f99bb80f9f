/**
 * `close()` on a clustered node ends only that node's part: its admin namespace's adapter lets go
 * of Redis (redis-adapter: the namespace's subscriptions end), and the dashboards it disconnects
 * are its own, not those of every node (a cluster adapter's `disconnectSockets` reaches them all).
 * In-process servers behind a real redis-server.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createClient } from 'redis';
import { Server, type ServerOptions } from 'socket.io';
import { createAdapter as redisAdapter } from '@socket.io/redis-adapter';
import { createAdapter as streamsAdapter } from '@socket.io/redis-streams-adapter';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { instrument } from '../../../server/agent/index.js';
import { once } from '../../support/agent-fixture.js';
import { describeWithRedis, startRedis, type RedisServer } from '../../support/redis.js';

type Client = ReturnType<typeof createClient>;

describeWithRedis('closing the agent on a clustered node', () => {
	let redis: RedisServer;
	const clients: Client[] = [];
	const servers: Server[] = [];
	const sockets: ClientSocket[] = [];

	const client = async () => {
		const c = createClient({ url: redis.url });
		c.on('error', () => {});
		await c.connect();
		clients.push(c);
		return c;
	};
	const server = (adapter: ServerOptions['adapter']) => {
		const io = new Server(createServer(), { adapter });
		servers.push(io);
		return io;
	};

	beforeAll(async () => {
		redis = await startRedis();
	});

	afterAll(async () => {
		for (const s of sockets) s.disconnect();
		for (const io of servers) await io.close();
		for (const c of clients) await c.quit().catch(() => {});
		await redis?.stop();
	});

	test("redis-adapter: the admin namespace's channels lose their subscriber", async () => {
		const pub = await client();
		const io = server(redisAdapter(pub, await client()));
		const agent = instrument(io, { auth: false });
		const subscribers = async () => {
			const counts = (await pub.sendCommand([
				'PUBSUB',
				'NUMSUB',
				'socket.io-request#/sockscope#'
			])) as [string, number];
			return Number(counts[1]);
		};
		await expect.poll(subscribers, { timeout: 10_000 }).toBe(1);
		await agent.close();
		await expect.poll(subscribers, { timeout: 10_000 }).toBe(0);
	});

	test("streams adapter: the other nodes' dashboards stay connected, and answered", async () => {
		// Both wait a minute for every node's answer: a node still counted would hold the query.
		const options = { heartbeatInterval: 500, requestsTimeout: 60_000 };
		const a = server(streamsAdapter(await client(), options));
		const b = server(streamsAdapter(await client(), options));
		const agentA = instrument(a, { auth: false, nodeId: 'a' });
		instrument(b, { auth: false, nodeId: 'b', queryTimeout: 60_000 });
		await new Promise<void>((resolve) => b.httpServer.listen(0, '127.0.0.1', resolve));
		const { port } = b.httpServer.address() as AddressInfo;
		const dashboard = connect(`http://127.0.0.1:${port}/sockscope`, {
			transports: ['websocket'],
			forceNew: true
		});
		sockets.push(dashboard);
		await once(dashboard, 'state:snapshot');
		const nodesAnswering = async () => {
			const answer = (await dashboard.timeout(20_000).emitWithAck('namespaces:query', {})) as {
				data: unknown;
			};
			return answer.data !== undefined;
		};
		// Each node heard the other: a query now waits for both.
		await expect.poll(() => b.of('/sockscope').adapter.serverCount(), { timeout: 10_000 }).toBe(2);
		expect(await nodesAnswering()).toBe(true);
		await agentA.close();
		expect(await nodesAnswering()).toBe(true);
	}, 60_000);
});
