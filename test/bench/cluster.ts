/**
 * `npm run bench:cluster`: a cluster of instrumented chat servers (test/bench/server.ts, one process
 * per node) behind one real redis-server, each with its own load process (cluster-load.ts: lean
 * WebSocket clients in rooms, light chat and churn), grown to each size in turn; at each size a
 * dashboard on node 1 is measured. Raw figures go to bench-results/cluster-latest.json.
 *
 *   npm run bench:cluster                          10 nodes × 10,000 sockets, measured at 1, 2, 5, 10
 *   npm run bench:cluster -- --nodes 3 --sockets 2000 --sizes 1,3
 *   npm run bench:cluster -- --adapter streams     @socket.io/redis-streams-adapter
 *   npm run bench:cluster -- --arm admin-ui        @socket.io/admin-ui instead (cluster-admin-ui.ts)
 *   npm run bench:cluster -- --load-nice 0         load processes level with the nodes (see LOAD_NICE)
 *
 * "Agent off" is the same node with the agent closed (`close()`) and then instrumented again, as in
 * ab.ts: its heap and the Redis traffic are read both ways at every size, so the difference is the
 * agent's and nothing else's. One process holds at most 20,000 descriptors here: one load process
 * per node keeps each well under that.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, setPriority, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { io as connect, type Socket } from 'socket.io-client';
import type { Sample } from '../../server/protocol/models.js';
import { startRedis } from '../../server/demo/redis-server.js';
import { startDashboard, startServer, type ServerProcess } from './processes.js';
import { sleep } from './load.js';
import type { LoadControl, LoadReport, LoadRequest } from './cluster-load.js';
import type { AdapterKind } from './cluster-adapter.js';
import { fmt, markdownTable, quantile, type Row } from './bench-table.js';

const { values: args } = parseArgs({
	options: {
		nodes: { type: 'string', default: '10' },
		sockets: { type: 'string', default: '10000' },
		sizes: { type: 'string' },
		adapter: { type: 'string', default: 'redis' },
		window: { type: 'string', default: '5' },
		queries: { type: 'string', default: '50' },
		kicks: { type: 'string', default: '10' },
		'chat-rate': { type: 'string', default: '5' },
		'churn-rate': { type: 'string', default: '2' },
		/** The load processes' niceness (see LOAD_NICE); 0 runs them level with the nodes. */
		'load-nice': { type: 'string', default: '10' },
		/** `admin-ui`: the same cluster instrumented with @socket.io/admin-ui (cluster-admin-ui.ts). */
		arm: { type: 'string', default: 'sockscope' }
	}
});
const NODES = Number(args.nodes);
const PER_NODE = Number(args.sockets);
const SIZES = [...new Set([...(args.sizes ?? '1,2,5,10').split(',').map(Number), NODES])]
	.filter((n) => n >= 1 && n <= NODES)
	.sort((a, b) => a - b);
const ADAPTER = args.adapter as AdapterKind;
const WINDOW_MS = Number(args.window) * 1000;
const QUERIES = Number(args.queries);
const KICKS = Number(args.kicks);
/**
 * The clients of a real cluster run on other machines, not on its nodes' cores: here they share two
 * cores with the nodes, Redis and the dashboard, so they run at a lower priority (nice 10) and take
 * the time the rest leaves. They still get the whole machine while it is idle; on a busy one, what
 * a figure waits for is the node, not the client simulator.
 */
const LOAD_NICE = Number(args['load-nice']);

if (args.arm === 'admin-ui') {
	const { runAdminUiArm } = await import('./cluster-admin-ui.js');
	await runAdminUiArm({
		nodes: NODES,
		perNode: PER_NODE,
		sizes: SIZES,
		adapter: ADAPTER,
		windowMs: WINDOW_MS,
		kicks: KICKS,
		chatRate: Number(args['chat-rate']),
		churnRate: Number(args['churn-rate']),
		loadNice: LOAD_NICE
	});
	process.exit(0);
}

interface ClusterNode {
	id: string;
	server: ServerProcess;
	load: ChildProcess;
}

const startedAt = Date.now();
const redis = await startRedis();
const redisClient = createClient({ url: redis.url });
await redisClient.connect();
const nodes: ClusterNode[] = [];
const rows: Row[] = [];

async function addNode(i: number): Promise<void> {
	const id = `node-${i}`;
	const server = await startServer('sockscope', {
		nodeId: id,
		redisUrl: redis.url,
		adapter: ADAPTER
	});
	// Chat and churn on every node; see LoadRequest for the rates.
	const load = fork(fileURLToPath(new URL('./cluster-load.ts', import.meta.url)), [], {
		execArgv: ['--import', 'tsx'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc']
	});
	setPriority(load.pid!, LOAD_NICE);
	nodes.push({ id, server, load });
	const report = await new Promise<LoadReport>((resolve) => {
		load.once('message', resolve);
		load.send({
			type: 'start',
			port: server.port,
			count: PER_NODE,
			roomSize: 10,
			chatRate: Number(args['chat-rate']),
			churnRate: Number(args['churn-rate'])
		} satisfies LoadRequest);
	});
	if (report.type === 'error') throw new Error(`${id}: ${report.message}`);
	console.log(`${id}: ${report.count} sockets connected in ${(report.ms / 1000).toFixed(1)} s`);
}

/** Redis's own counters: bytes in and out, and the messages the nodes sent it (PUBLISH, XADD). */
async function redisCounters() {
	const info = String(await redisClient.sendCommand(['INFO', 'all']));
	const field = (re: RegExp) => Number(re.exec(info)?.[1] ?? 0);
	return {
		at: performance.now(),
		bytesIn: field(/total_net_input_bytes:(\d+)/),
		bytesOut: field(/total_net_output_bytes:(\d+)/),
		messages: field(/cmdstat_publish:calls=(\d+)/) + field(/cmdstat_xadd:calls=(\d+)/)
	};
}

/** Every node's CPU time so far, in µs, all its threads. */
const cpuTimes = () => Promise.all(nodes.map((n) => n.server.cpu().then((c) => c.micros)));

/** Redis's traffic over a window, and the nodes' CPU over the same window (share of one core). */
async function redisWindow() {
	const [a, cpuA] = await Promise.all([redisCounters(), cpuTimes()]);
	await sleep(WINDOW_MS);
	const [b, cpuB] = await Promise.all([redisCounters(), cpuTimes()]);
	const seconds = (b.at - a.at) / 1000;
	return {
		inPerSecond: (b.bytesIn - a.bytesIn) / seconds,
		outPerSecond: (b.bytesOut - a.bytesOut) / seconds,
		messagesPerSecond: (b.messages - a.messages) / seconds,
		cpuShares: cpuB.map((t, i) => (t - cpuA[i]) / 1e6 / seconds)
	};
}

const heaps = () => Promise.all(nodes.map((n) => n.server.heapBytes()));

/** How long an answer may take before it counts as none (Infinity: it sorts last, into p99). */
const ANSWER_TIMEOUT_MS = 10_000;

/**
 * Queries start this far apart: within what the agent lets one dashboard ask (`limits`, 5 a
 * second by default), as a person clicking through pages would, never faster.
 */
const QUERY_SPACING_MS = 250;

async function timed(admin: Socket, event: string, payload: object): Promise<number[]> {
	const times: number[] = [];
	for (let k = 0; k < QUERIES; k++) {
		const t = performance.now();
		const spacing = sleep(QUERY_SPACING_MS);
		try {
			const answer = (await admin.timeout(ANSWER_TIMEOUT_MS).emitWithAck(event, payload)) as {
				error?: unknown;
			};
			if (answer.error) throw new Error(JSON.stringify(answer.error));
			times.push(performance.now() - t);
		} catch (err) {
			console.log(`${event} ${JSON.stringify(payload)}: ${String(err)}`);
			times.push(Infinity);
		}
		await spacing;
	}
	return times;
}

/** From the command on node 1 until the kicked client, on the last node, sees its disconnect. */
async function kick(admin: Socket, port: number): Promise<number> {
	const target = connect(`http://127.0.0.1:${port}`, {
		transports: ['websocket'],
		forceNew: true,
		reconnection: false
	});
	await new Promise((resolve) => target.once('connect', () => resolve(undefined)));
	const gone = new Promise((resolve) => target.once('disconnect', resolve));
	const t = performance.now();
	try {
		await Promise.all([
			admin
				.timeout(ANSWER_TIMEOUT_MS)
				.emitWithAck('socket:disconnect', { namespace: '/', id: target.id, reason: 'bench' }),
			gone
		]);
		return performance.now() - t;
	} catch (err) {
		console.log(`kick: ${String(err)}`);
		target.disconnect();
		return Infinity;
	}
}

/** The latest sample of each node, as a dashboard on node 1 receives them. */
function watch(admin: Socket): Map<string, Sample> {
	const latest = new Map<string, Sample>();
	admin.on('stats:sample', (s: Sample) => latest.set(s.nodeId, s));
	return latest;
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
	const end = performance.now() + timeoutMs;
	while (!check()) {
		if (performance.now() > end) return false;
		await sleep(100);
	}
	return true;
}

/** A node with no sockets joins, is seen by node 1, is killed: how long until node 1 says it is down. */
async function killedNodeDown(latest: Map<string, Sample>, size: number): Promise<number> {
	const id = `killed-${size}`;
	const server = await startServer('sockscope', {
		nodeId: id,
		redisUrl: redis.url,
		adapter: ADAPTER
	});
	const peer = () => latest.get('node-1')?.cluster?.peers.find((p) => p.nodeId === id)?.state;
	if (!(await until(() => peer() === 'up', 20_000))) {
		server.kill();
		console.log(`${id} never seen by node-1`);
		return NaN;
	}
	const t = performance.now();
	server.kill();
	if (!(await until(() => peer() === 'down', 30_000))) return Infinity;
	return performance.now() - t;
}

async function measure(size: number): Promise<Row> {
	await sleep(3000);
	const socketsPerNode = PER_NODE;
	// The agent on, then off (closed in each node), then on again: Redis traffic and heap both ways.
	// Chat pauses meanwhile (it is most of the host's Redis traffic, and not quite steady on a
	// loaded machine); churn goes on, and sends nothing through Redis.
	const chat = (on: boolean) =>
		nodes.forEach((n) => n.load.send({ type: 'chat', on } satisfies LoadControl));
	chat(false);
	await sleep(500);
	const redisOn = await redisWindow();
	const heapOn = await heaps();
	await Promise.all(nodes.map((n) => n.server.uninstrument()));
	await sleep(1000);
	const redisOff = await redisWindow();
	const heapOff = await heaps();
	await Promise.all(nodes.map((n) => n.server.instrument()));
	chat(true);
	await sleep(3000);

	const dashboard = startDashboard('sockscope', nodes[0].server.port);
	const first = await dashboard.firstView;
	await sleep(2000);
	dashboard.reset();
	await sleep(WINDOW_MS);
	const overview = await dashboard.report();
	await dashboard.socketsPage(true);
	await sleep(1000);
	dashboard.reset();
	await sleep(WINDOW_MS);
	const socketsPage = await dashboard.report();
	await dashboard.socketsPage(false);
	await dashboard.stop();

	const admin = connect(`http://127.0.0.1:${nodes[0].server.port}/sockscope`, {
		transports: ['websocket'],
		forceNew: true
	});
	const latest = watch(admin);
	await new Promise((resolve) => admin.once('state:snapshot', resolve));
	await until(() => latest.size >= size, 5000);
	const watched = [...latest.values()].reduce(
		(sum, s) => sum + s.namespaces.reduce((n, ns) => n + ns.sockets, 0),
		0
	);
	const firstPage = await timed(admin, 'sockets:query', { limit: 100 });
	const filtered = await timed(admin, 'sockets:query', { text: 'zz', limit: 100 });
	const sorted = await timed(admin, 'sockets:query', { sort: 'rtt', order: 'desc', limit: 100 });
	const members = await timed(admin, 'room:members', {
		namespace: '/',
		room: 'room-7',
		limit: 100
	});
	const kicks: number[] = [];
	for (let k = 0; k < KICKS; k++) {
		const spacing = sleep(QUERY_SPACING_MS);
		kicks.push(await kick(admin, nodes[size - 1].server.port));
		await spacing;
	}
	const downMs = size >= 2 ? await killedNodeDown(latest, size) : NaN;
	admin.disconnect();

	const perSocket = nodes.map((_, i) => (heapOn[i] - heapOff[i]) / socketsPerNode);
	const row: Row = {
		nodes: size,
		sockets: size * PER_NODE,
		watched,
		firstViewKB: first.firstViewBytes / 1000,
		firstViewMs: first.firstViewMs,
		overviewBps: overview.bytes / overview.seconds,
		socketsPageBps: socketsPage.bytes / socketsPage.seconds,
		firstPageP50: quantile(firstPage, 0.5),
		firstPageP99: quantile(firstPage, 0.99),
		filteredP50: quantile(filtered, 0.5),
		filteredP99: quantile(filtered, 0.99),
		sortedP50: quantile(sorted, 0.5),
		sortedP99: quantile(sorted, 0.99),
		membersP50: quantile(members, 0.5),
		membersP99: quantile(members, 0.99),
		kickP50: quantile(kicks, 0.5),
		kickMax: Math.max(...kicks),
		downMs,
		redisOnInBps: redisOn.inPerSecond,
		redisOnOutBps: redisOn.outPerSecond,
		redisOffInBps: redisOff.inPerSecond,
		redisOffOutBps: redisOff.outPerSecond,
		// Into Redis: what each node's agent sends; out of Redis: what it sends on to the nodes.
		agentRedisInBpsPerNode: (redisOn.inPerSecond - redisOff.inPerSecond) / size,
		agentRedisOutBpsPerNode: (redisOn.outPerSecond - redisOff.outPerSecond) / size,
		agentRedisMsgsPerNode: (redisOn.messagesPerSecond - redisOff.messagesPerSecond) / size,
		heapPerSocketMedian: quantile(perSocket, 0.5),
		// Each node's CPU with the agent on and off, chat paused: pings, churn and the agent's own.
		cpuOnPerNode: quantile(redisOn.cpuShares, 0.5),
		cpuOffPerNode: quantile(redisOff.cpuShares, 0.5),
		heapPerSocketMax: Math.max(...perSocket),
		load1: loadavg()[0]
	};
	console.log(JSON.stringify(row));
	return row;
}

function table(rows: Row[]): string {
	const columns: [string, (r: Row) => string][] = [
		['nodes', (r) => fmt(r.nodes)],
		['sockets watched', (r) => fmt(r.watched)],
		['first full view', (r) => `${fmt(r.firstViewKB, 1)} KB, ${fmt(r.firstViewMs)} ms`],
		['Overview B/s', (r) => fmt(r.overviewBps)],
		['Sockets page B/s', (r) => fmt(r.socketsPageBps)],
		['first page p50/p99 ms', (r) => `${fmt(r.firstPageP50)} / ${fmt(r.firstPageP99)}`],
		['filtered p50/p99 ms', (r) => `${fmt(r.filteredP50)} / ${fmt(r.filteredP99)}`],
		['sorted p50/p99 ms', (r) => `${fmt(r.sortedP50)} / ${fmt(r.sortedP99)}`],
		['room members p50/p99 ms', (r) => `${fmt(r.membersP50)} / ${fmt(r.membersP99)}`],
		['kick p50 / max ms', (r) => `${fmt(r.kickP50)} / ${fmt(r.kickMax)}`],
		['killed node down s', (r) => fmt((r.downMs as number) / 1000, 1)],
		[
			'agent Redis B/s per node, in + out',
			(r) => `${fmt(r.agentRedisInBpsPerNode)} + ${fmt(r.agentRedisOutBpsPerNode)}`
		],
		['agent Redis msgs/s per node', (r) => fmt(r.agentRedisMsgsPerNode, 1)],
		['agent heap per socket', (r) => `${fmt(r.heapPerSocketMedian)} B`],
		[
			'node CPU, agent on / off',
			(r) =>
				`${fmt((r.cpuOnPerNode as number) * 100, 1)}% / ${fmt((r.cpuOffPerNode as number) * 100, 1)}%`
		],
		['load avg', (r) => fmt(r.load1, 1)]
	];
	return markdownTable(columns, rows);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(
	`sockscope cluster bench on ${machine}: ${NODES} nodes × ${PER_NODE} sockets, ${ADAPTER} adapter, sizes ${SIZES.join(', ')}, load at nice ${LOAD_NICE}`
);
try {
	for (const size of SIZES) {
		while (nodes.length < size) await addNode(nodes.length + 1);
		rows.push(await measure(size));
	}
	const minutes = (Date.now() - startedAt) / 60_000;
	console.log(`\n${table(rows)}\n\n${new Date().toISOString()}, ${minutes.toFixed(1)} minutes`);
	mkdirSync('bench-results', { recursive: true });
	writeFileSync(
		`bench-results/cluster-${ADAPTER}-latest.json`,
		JSON.stringify(
			{
				machine,
				date: new Date().toISOString(),
				minutes,
				nodes: NODES,
				perNode: PER_NODE,
				adapter: ADAPTER,
				loadNice: LOAD_NICE,
				rows,
				table: table(rows)
			},
			null,
			2
		)
	);
} finally {
	for (const n of nodes) {
		n.load.send({ type: 'exit' });
		await n.server.stop();
	}
	await redisClient.quit().catch(() => {});
	await redis.stop();
}
process.exit(0);
