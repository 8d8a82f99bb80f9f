/**
 * `sockscope cluster` (`npm run demo:cluster`): several demo nodes on consecutive ports sharing
 * one Redis through socket.io's Redis adapter, each instrumented exactly as a single node is, with
 * bots spread over them and the dashboard on every node. The nodes run in this one process for a
 * one-command demo; they talk to each other only through Redis, as separate machines would.
 */
import { randomBytes } from 'node:crypto';
import { startBots, type Bots } from './bots.js';
import { ensureDashboard } from './build-dashboard.js';
import { createDemoServer, type DemoServer } from './chat-server.js';
import { startRedis, type RedisServer } from './redis-server.js';
import { baseUrl, loginLines } from './start-demo.js';
import { authUsers, demoLogins } from './users.js';

export interface ClusterOptions {
	nodes: number;
	/** The first node's port; the others follow it. */
	port: number;
	host: string;
	bots: number;
	rate: number;
	/** Redis to share; absent: a `redis-server` started on a free port. */
	redisUrl?: string;
	log: (line: string) => void;
	signal?: AbortSignal;
}

interface RedisClient {
	connect(): Promise<unknown>;
	duplicate(): RedisClient;
	quit(): Promise<unknown>;
	on(event: 'error', listener: (err: Error) => void): unknown;
}

export async function startCluster(options: ClusterOptions): Promise<{ stop(): Promise<void> }> {
	const { log, signal } = options;
	// Loaded here: only the cluster demo needs a Redis client and the adapter.
	const [{ createClient }, { createAdapter }] = await Promise.all([import('redis'), import('@socket.io/redis-adapter')]);
	const [build, logins] = await Promise.all([ensureDashboard({ log, signal }), demoLogins()]);
	signal?.throwIfAborted();

	let redis: RedisServer | undefined;
	const clients: RedisClient[] = [];
	const servers: DemoServer[] = [];
	const bots: Bots[] = [];
	const stop = async () => {
		await Promise.all(bots.map((b) => b.stop()));
		await Promise.all(servers.map((s) => s.close()));
		await Promise.all(clients.map((c) => c.quit().catch(() => {})));
		await redis?.stop();
	};

	try {
		if (!options.redisUrl) redis = await startRedis();
		const url = options.redisUrl ?? redis!.url;
		const client = async () => {
			const c = createClient({ url }) as unknown as RedisClient;
			// A Redis restart must not end the demo: the client reconnects by itself.
			c.on('error', (err) => log(`redis: ${err.message}`));
			clients.push(c);
			await c.connect();
			return c;
		};
		// One secret for every node, so that a session token works on any of them.
		const secret = randomBytes(24).toString('base64url');
		for (let i = 0; i < options.nodes; i++) {
			const [pub, sub, audit] = await Promise.all([client(), client(), client()]);
			servers.push(
				await createDemoServer({
					port: options.port === 0 ? 0 : options.port + i,
					host: options.host,
					adapter: createAdapter(pub as never, sub as never, { requestsTimeout: 2000 }),
					instrument: {
						nodeId: `node-${i + 1}`,
						auth: { users: authUsers(logins), secret },
						audit: { redis: audit }
					}
				})
			);
		}
		const share = Math.ceil(options.bots / options.nodes);
		for (const [i, server] of servers.entries()) {
			const count = Math.max(0, Math.min(share, options.bots - i * share));
			bots.push(startBots({ url: server.url, count, rate: options.rate, onError: (m) => log(`bots: ${m}`) }));
		}
		log(
			[
				'',
				`Sockscope cluster demo: ${options.nodes} nodes sharing ${options.redisUrl ? url : `redis-server at ${url}`}`,
				'',
				...servers.map(
					(s, i) => `  node-${i + 1}:  Chat ${baseUrl(options.host, s.port)}/   Dashboard ${baseUrl(options.host, s.port)}/sockscope/`
				),
				build === 'failed' ? '  (the dashboard build failed, see above)' : '',
				...loginLines(logins),
				'',
				`  Bots: ${options.bots}, spread over the nodes. Ctrl-C stops everything.`,
				''
			].join('\n')
		);
	} catch (err) {
		await stop();
		throw err;
	}
	return { stop };
}
