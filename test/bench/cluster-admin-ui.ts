/**
 * `npm run bench:cluster -- --arm admin-ui`: the cluster bench's nodes (test/bench/server.ts, each
 * with its own cluster-load.ts process, behind the same redis-server and adapter) instrumented with
 * @socket.io/admin-ui in development mode instead of Sockscope, grown to each size in turn while its
 * dashboard still answers. Raw figures go to bench-results/cluster-admin-ui-<adapter>-latest.json.
 *
 * At each size, on node 1: the first full view of a fresh admin-ui dashboard client (dashboard.ts:
 * bytes and time until `all_sockets`, the whole socket list, which admin-ui gathers from every node
 * with `fetchSockets`), the bytes a second it then receives while watching, and a cross-node kick
 * (`_disconnect` with the socket's id as filter). admin-ui has no request with an answer other than
 * that list (its commands have no acknowledgement), so the first view is its one answer time.
 *
 * admin-ui has no `close()`: the heap per socket is each node's heap against one bare node with the
 * same load, behind a Redis of its own (so that no admin-ui node counts its sockets), and so is the
 * Redis traffic each node sends (chat included on both sides).
 *
 * A size where the dashboard has no socket list within NO_ANSWER_MS, or where a node process ends,
 * is where admin-ui stops: it is recorded and the cluster grows no further. (A node can end: when a
 * node's `fetchSockets` answer misses the adapter's `requestsTimeout`, the rejection in admin-ui's
 * connection handler is unhandled, which ends the process by Node's default.)
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, setPriority, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { io as connect, type Socket } from 'socket.io-client';
import { startRedis, type RedisServer } from '../../server/demo/redis-server.js';
import type { AdapterKind } from './cluster-adapter.js';
import type { LoadReport, LoadRequest } from './cluster-load.js';
import { connectOne, sleep } from './load.js';
import { startDashboard, startServer, type ServerProcess } from './processes.js';
import type { Arm } from './server.js';
import { fmt, markdownTable, quantile, type Row } from './bench-table.js';

export interface AdminUiArmSettings {
	nodes: number;
	perNode: number;
	sizes: number[];
	adapter: AdapterKind;
	windowMs: number;
	kicks: number;
	chatRate: number;
	/** The load processes' niceness, as in cluster.ts. */
	loadNice: number;
	churnRate: number;
}

/** How long the dashboard may go without its socket list before admin-ui counts as not answering. */
const NO_ANSWER_MS = 60_000;
const KICK_TIMEOUT_MS = 10_000;

interface Node {
	id: string;
	server: ServerProcess;
	load: ReturnType<typeof fork>;
	/** Set when the node's process has ended. */
	exit?: string;
}

async function startNode(arm: Arm, id: string, redisUrl: string, s: AdminUiArmSettings) {
	const server = await startServer(arm, { nodeId: id, redisUrl, adapter: s.adapter });
	const load = fork(fileURLToPath(new URL('./cluster-load.ts', import.meta.url)), [], {
		execArgv: ['--import', 'tsx'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc']
	});
	setPriority(load.pid!, s.loadNice);
	const node: Node = { id, server, load };
	void server.exited.then((code) => (node.exit = `${id} exited (${code})`));
	const report = await new Promise<LoadReport>((resolve) => {
		load.once('message', resolve);
		load.send({
			type: 'start',
			port: server.port,
			count: s.perNode,
			roomSize: 10,
			chatRate: s.chatRate,
			churnRate: s.churnRate
		} satisfies LoadRequest);
	});
	if (report.type === 'error') throw new Error(`${id}: ${report.message}`);
	console.log(
		`${id} (${arm}): ${report.count} sockets connected in ${(report.ms / 1000).toFixed(1)} s`
	);
	return node;
}

/** What the nodes send Redis a second (bytes, and PUBLISH or XADD commands), from Redis's own stats. */
async function redisInbound(url: string, ms: number) {
	const client = createClient({ url });
	client.on('error', (err) => console.error(`redis: ${String(err)}`));
	await client.connect();
	const read = async () => {
		const info = String(await client.sendCommand(['INFO', 'all']));
		const field = (re: RegExp) => Number(re.exec(info)?.[1] ?? 0);
		return {
			at: performance.now(),
			bytes: field(/total_net_input_bytes:(\d+)/),
			messages: field(/cmdstat_publish:calls=(\d+)/) + field(/cmdstat_xadd:calls=(\d+)/)
		};
	};
	const a = await read();
	await sleep(ms);
	const b = await read();
	await client.quit();
	const seconds = (b.at - a.at) / 1000;
	return { bytes: (b.bytes - a.bytes) / seconds, messages: (b.messages - a.messages) / seconds };
}

/** `promise`'s value, or undefined after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
	return Promise.race([promise, sleep(ms).then(() => undefined)]);
}

/** Resolves with the first node's exit, if one ends. */
const anyExit = (nodes: Node[]) =>
	Promise.race(nodes.map((n) => n.server.exited.then(() => n.exit ?? `${n.id} exited`)));

/** From `_disconnect` on node 1 until the kicked client, on the last node, sees its disconnect. */
async function kick(admin: Socket, port: number): Promise<number> {
	const target = await connectOne(port, 0);
	const gone = new Promise((resolve) => target.once('disconnect', () => resolve(true)));
	const t = performance.now();
	admin.emit('_disconnect', '/', false, target.id);
	const seen = await within(gone, KICK_TIMEOUT_MS);
	target.disconnect();
	return seen ? performance.now() - t : Infinity;
}

/** Kicks through an admin-ui client of node 1 (which gets its own socket list first, as any does). */
async function kicks(nodes: Node[], size: number, count: number): Promise<number[]> {
	const admin = connect(`http://127.0.0.1:${nodes[0].server.port}/admin`, {
		transports: ['websocket'],
		forceNew: true,
		reconnection: false
	});
	const listed = new Promise((resolve) => admin.once('all_sockets', resolve));
	if (!(await within(Promise.race([listed, anyExit(nodes)]), NO_ANSWER_MS))) {
		admin.disconnect();
		return [];
	}
	const times: number[] = [];
	for (let k = 0; k < count && !nodes.some((n) => n.exit); k++)
		times.push(await kick(admin, nodes[size - 1].server.port));
	admin.disconnect();
	return times;
}

const table = (rows: Row[]) =>
	markdownTable(
		[
			['nodes', (r) => fmt(r.nodes)],
			['sockets listed', (r) => fmt(r.listed)],
			[
				'first full view',
				(r) =>
					r.stopped ? String(r.stopped) : `${fmt(r.firstViewKB, 1)} KB, ${fmt(r.firstViewMs)} ms`
			],
			['dashboard B/s watching', (r) => fmt(r.watchingBps)],
			['kick p50 / max ms', (r) => `${fmt(r.kickP50)} / ${fmt(r.kickMax)}`],
			[
				'Redis in B/s per node, admin-ui / bare',
				(r) => `${fmt(r.redisInBpsPerNode)} / ${fmt(r.bareRedisInBps)}`
			],
			['heap per socket over bare', (r) => `${fmt(r.heapPerSocketMedian)} B`],
			['load avg', (r) => fmt(r.load1, 1)]
		],
		rows
	);

async function measure(
	nodes: Node[],
	bare: Node,
	redis: { cluster: RedisServer; bare: RedisServer },
	size: number,
	s: AdminUiArmSettings
): Promise<Row> {
	const ended = nodes.find((n) => n.exit)?.exit;
	if (ended) return { nodes: size, sockets: size * s.perNode, stopped: ended };
	await sleep(3000);
	const [inbound, bareInbound] = await Promise.all([
		redisInbound(redis.cluster.url, s.windowMs),
		redisInbound(redis.bare.url, s.windowMs)
	]);
	const heapBare = await bare.server.heapBytes();
	const heaps = await Promise.all(nodes.map((n) => n.server.heapBytes()));
	const perSocket = heaps.map((h) => (h - heapBare) / s.perNode);
	const row: Row = {
		nodes: size,
		sockets: size * s.perNode,
		redisInBpsPerNode: inbound.bytes / size,
		redisMsgsPerNode: inbound.messages / size,
		bareRedisInBps: bareInbound.bytes,
		bareRedisMsgs: bareInbound.messages,
		heapPerSocketMedian: quantile(perSocket, 0.5),
		heapPerSocketMax: Math.max(...perSocket)
	};

	const dashboard = startDashboard('admin-ui', nodes[0].server.port);
	const first = await within(Promise.race([dashboard.firstView, anyExit(nodes)]), NO_ANSWER_MS);
	if (!first || typeof first === 'string') {
		row.stopped = first ?? `no socket list in ${NO_ANSWER_MS / 1000} s`;
		// What it received meanwhile (every node's stats and events, without the list).
		if (!nodes[0].exit) row.waitingBytes = (await dashboard.report()).bytes;
		await dashboard.stop();
	} else {
		row.listed = first.sockets ?? NaN;
		row.firstViewKB = first.firstViewBytes / 1000;
		row.firstViewMs = first.firstViewMs;
		await sleep(2000);
		dashboard.reset();
		await sleep(s.windowMs);
		const watching = await dashboard.report();
		await dashboard.stop();
		row.watchingBps = watching.bytes / watching.seconds;
		const times = await kicks(nodes, size, s.kicks);
		row.kickP50 = quantile(times, 0.5);
		row.kickMax = times.length ? Math.max(...times) : NaN;
		const exit = nodes.find((n) => n.exit)?.exit;
		if (exit) row.stopped = exit;
	}
	row.load1 = loadavg()[0];
	console.log(JSON.stringify(row));
	return row;
}

export async function runAdminUiArm(s: AdminUiArmSettings): Promise<void> {
	const startedAt = Date.now();
	const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
	console.log(
		`admin-ui (development mode) cluster bench on ${machine}: ${s.nodes} nodes × ${s.perNode} sockets, ${s.adapter} adapter, sizes ${s.sizes.join(', ')}`
	);
	const redis = { cluster: await startRedis(), bare: await startRedis() };
	const nodes: Node[] = [];
	const rows: Row[] = [];
	let bare: Node | undefined;
	try {
		bare = await startNode('bare', 'bare', redis.bare.url, s);
		for (const size of s.sizes) {
			while (nodes.length < size)
				nodes.push(
					await startNode('admin-ui-dev', `node-${nodes.length + 1}`, redis.cluster.url, s)
				);
			const row = await measure(nodes, bare, redis, size, s);
			rows.push(row);
			if (row.stopped) {
				console.log(`admin-ui stops at ${size} nodes: ${row.stopped}`);
				break;
			}
		}
		const minutes = (Date.now() - startedAt) / 60_000;
		console.log(`\n${table(rows)}\n\n${new Date().toISOString()}, ${minutes.toFixed(1)} minutes`);
		mkdirSync('bench-results', { recursive: true });
		writeFileSync(
			`bench-results/cluster-admin-ui-${s.adapter}-latest.json`,
			JSON.stringify(
				{ machine, date: new Date().toISOString(), minutes, ...s, rows, table: table(rows) },
				null,
				2
			)
		);
	} catch (err) {
		// Said now: stopping the nodes and Redis below can fail too, and hide it.
		console.error(err);
		throw err;
	} finally {
		for (const n of bare ? [...nodes, bare] : nodes) {
			n.load.send({ type: 'exit' });
			await n.server.stop();
		}
		await redis.cluster.stop();
		await redis.bare.stop();
	}
}
