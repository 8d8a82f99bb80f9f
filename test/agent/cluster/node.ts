/**
 * One node of a test cluster, in its own process: a chat server behind one of the official
 * adapters (`kind`: redis, sharded, streams, postgres), instrumented exactly as on a single node.
 * Reports its port over IPC. The store's URL is Redis's, or PostgreSQL's for `postgres`. With
 * `--recovery`, the server has socket.io's connection state recovery on (for the adapters that
 * keep sessions: streams and postgres).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { createAdapter as redisAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { createAdapter as streamsAdapter } from '@socket.io/redis-streams-adapter';
import { instrument } from '../../../server/agent/index.js';
import { countReads } from '../../support/socket-reads.js';
import { createAdapter as postgresAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';

const [nodeId, storeUrl, kind, port] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const recovery = process.argv.includes('--recovery');

// No `unhandledRejection` handler: the agent's own cluster traffic must not need one (the
// Redis-reset test proves it); the host's own messages through these adapters still may.
// Redis going away must not end the process: the clients retry, and say so here.
const quiet = () => {};

async function redisClients() {
	const reconnect = { reconnectStrategy: (retries: number) => Math.min(100 * retries, 500) };
	const pub = createClient({ url: storeUrl, socket: reconnect });
	pub.on('error', quiet);
	await pub.connect();
	const sub = pub.duplicate();
	sub.on('error', quiet);
	await sub.connect();
	return { pub, sub };
}

let adapter;
if (kind === 'postgres') {
	const pool = new pg.Pool({ connectionString: storeUrl, max: 4 });
	pool.on('error', quiet);
	// The adapter's LISTEN client is checked out of the pool for good, and pg-pool takes its own
	// `error` listener off checked-out clients: without this, PostgreSQL going away (57P01) is an
	// unhandled 'error' event that ends the process.
	pool.on('connect', (client) => client.on('error', quiet));
	// The adapter's defaults (heartbeat 5 s, dead after 10 s, serverSideEmit waiting 5 s): what
	// an operator gets, and what a killed node costs the agent's 2 s queries.
	adapter = postgresAdapter(pool);
} else if (kind === 'streams') {
	const pub = createClient({
		url: storeUrl,
		socket: { reconnectStrategy: (r: number) => Math.min(100 * r, 500) }
	});
	pub.on('error', quiet);
	await pub.connect();
	adapter = streamsAdapter(pub, { heartbeatInterval: 1000, heartbeatTimeout: 3000 });
} else if (kind === 'sharded') {
	const { pub, sub } = await redisClients();
	adapter = createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic' });
} else {
	const { pub, sub } = await redisClients();
	adapter = redisAdapter(pub, sub, { requestsTimeout: 1500 });
}

const http = createServer();
const io = new Server(http, {
	adapter: adapter as never,
	transports: ['websocket'],
	...(recovery ? { connectionStateRecovery: {} } : {})
});
io.use((socket, next) => next(socket.handshake.auth.banned ? new Error('banned') : undefined));
io.on('connection', (socket) => {
	for (const room of [socket.handshake.auth.rooms ?? []].flat()) socket.join(String(room));
	// Answered after 200 ms: acknowledgement latency summed over the cluster.
	socket.on('slow', (ack: (v: string) => void) => setTimeout(() => ack('done'), 200));
	// A broadcast to a room, from any node: a recovering client asks from the offset of the last
	// broadcast it received, so it needs one.
	socket.on('broadcast', (room: string, ack: () => void) => {
		io.to(String(room)).emit('news', 'hello');
		ack();
	});
});
instrument(io, { auth: false, nodeId, sampleInterval: 500, queryTimeout: 2000 });

// How often the agent read each socket of `/` (see socket-reads.ts): asked over IPC, by socket id.
const reads = new Map<string, () => number>();
io.on('connection', (socket) => {
	reads.set(socket.id, countReads(socket));
	socket.on('disconnect', () => reads.delete(socket.id));
});
process.on('message', (m: { type: string }) => {
	if (m?.type === 'reads')
		process.send?.({
			type: 'reads',
			reads: Object.fromEntries([...reads].map(([id, count]) => [id, count()]))
		});
});

http.listen(Number(port ?? 0), '127.0.0.1', () => {
	process.send?.({ type: 'ready', port: (http.address() as AddressInfo).port });
});
