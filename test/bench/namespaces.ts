/**
 * A multi-tenant app, one dynamic namespace per workspace (`io.of(/^\/ws-\d+$/)`): what the agent
 * holds per namespace, and what a dashboard receives, in one process:
 *
 *   node --expose-gc --import tsx test/bench/namespaces.ts [namespaces]     e.g. 10000
 *
 * Two shapes of the same number of sockets, each on a fresh server: `namespaces` namespaces × 1
 * socket, then a tenth as many × 10 sockets. For each, the agent's heap (agent on minus the same
 * server bare, after two full GCs, the agent sampling once a second meanwhile), then a dashboard's
 * first view (snapshot bytes), the stream the Overview takes (patches, one sample a second) over
 * 10 s, and `namespaces:query` (its first page's bytes, the slowest of 20 answers). The difference
 * between the two shapes' heaps is what the extra namespaces cost, their sockets aside.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connectClient } from 'socket.io-client';
import { instrument } from '../../server/agent/index.js';
import type { Snapshot } from '../../server/protocol/models.js';
import { SAMPLES_AS_PATCHES } from '../../server/protocol/samples.js';
import { connectTenants, serveTenants } from '../support/tenants.js';
import { sleep } from './load.js';

if (!global.gc) throw new Error('run with node --expose-gc');
const gc = global.gc;
const count = Number(process.argv[2] ?? 10_000);
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

const heap = () => {
	// Twice: the first pass frees what finalisers release for the second.
	gc();
	gc();
	return process.memoryUsage().heapUsed;
};

interface Shape {
	namespaces: number;
	perNamespace: number;
	heap: number;
	firstView: number;
	streamPerSecond: number;
	page: number;
	queryMs: number;
}

async function measure(namespaces: number, perNamespace: number): Promise<Shape> {
	const http = createServer();
	const io = new Server(http, { transports: ['websocket'] });
	serveTenants(io);
	await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
	const tenants = await connectTenants(url, namespaces, perNamespace, Math.max(8, perNamespace));
	await sleep(1000);
	const bare = heap();
	const agent = instrument(io, { auth: false, dashboard: false });
	// A few samples: the sampler's and the history's per-namespace state is made.
	await sleep(3500);
	const on = heap();

	const dashboard = connectClient(`${url}/sockscope`, {
		forceNew: true,
		transports: ['websocket'],
		auth: { samples: SAMPLES_AS_PATCHES }
	});
	const snapshot = await new Promise<Snapshot>((resolve) =>
		dashboard.once('state:snapshot', resolve)
	);
	let streamed = 0;
	const count = (payload: unknown) => (streamed += bytes(payload));
	dashboard.on('stats:sample', count);
	dashboard.on('stats:patch', count);
	const from = Date.now();
	await sleep(10_000);
	const streamPerSecond = streamed / ((Date.now() - from) / 1000);
	let page = 0;
	let queryMs = 0;
	for (let i = 0; i < 20; i++) {
		const started = performance.now();
		const answer = await dashboard.emitWithAck('namespaces:query', {});
		queryMs = Math.max(queryMs, performance.now() - started);
		page = bytes(answer);
	}
	dashboard.disconnect();
	await agent.close();
	tenants.close();
	await new Promise<void>((resolve) => io.close(() => resolve()));
	return {
		namespaces,
		perNamespace,
		heap: on - bare,
		firstView: bytes(snapshot),
		streamPerSecond,
		page,
		queryMs
	};
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const shapes = [await measure(count, 1), await measure(count / 10, 10)];
for (const s of shapes) {
	const sockets = s.namespaces * s.perNamespace;
	console.log(
		`${s.namespaces} namespaces × ${s.perNamespace}: agent heap ${kb(s.heap)} (${(s.heap / sockets).toFixed(0)} B per socket), first view ${kb(s.firstView)}, Overview stream ${kb(s.streamPerSecond)}/s, namespaces:query page ${kb(s.page)} (slowest of 20: ${s.queryMs.toFixed(1)} ms)`
	);
}
const [many, few] = shapes;
const perNamespace = (many.heap - few.heap) / (many.namespaces - few.namespaces);
console.log(`agent heap per namespace (its sockets aside): ${perNamespace.toFixed(0)} B`);
process.exit(0);
