/**
 * The benchmark's server process: a chat server, bare or instrumented by one of the arms, that
 * reports its own CPU and heap over IPC. Run by run.ts, one process per arm and repetition; by
 * cluster.ts as one node of a cluster, with a node id, a Redis URL and an adapter after the arm.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { instrument as adminUi } from '@socket.io/admin-ui';
import { instrument, type Instrumentation } from '../../server/agent/index.js';
import { clusterAdapter, type AdapterKind } from './cluster-adapter.js';

export type Arm = 'bare' | 'sockscope' | 'admin-ui-dev' | 'admin-ui-prod';

export type Request =
	| { type: 'cpu' }
	| { type: 'heap' }
	| { type: 'agent' }
	/** `acks: false`: the agent without acknowledgement tracking (`ackTimeout: false`). */
	| { type: 'instrument'; acks?: boolean }
	| { type: 'close' }
	| { type: 'loop-watch' }
	| { type: 'loop-longest' }
	| { type: 'exit' };

/**
 * The longest the event loop went without running a 1 ms timer, less that millisecond: how long
 * the host was blocked (serving a dashboard's first view, say). Runs only while watched.
 */
let loopTimer: NodeJS.Timeout | undefined;
let longestBlock = 0;
function watchLoop(): void {
	clearInterval(loopTimer);
	longestBlock = 0;
	let last = performance.now();
	loopTimer = setInterval(() => {
		const now = performance.now();
		longestBlock = Math.max(longestBlock, now - last - 1);
		last = now;
	}, 1);
}

const [arm, nodeId, redisUrl, adapterKind] = process.argv.slice(2) as [
	Arm,
	string?,
	string?,
	AdapterKind?
];
const http = createServer();
const adapter = redisUrl ? await clusterAdapter(redisUrl, adapterKind ?? 'redis') : undefined;
/**
 * `BENCH_SHAPE=realistic`: what many apps turn on that the plain chat does not: connection state
 * recovery (a dropped client comes back as the same socket, its rooms and missed packets
 * restored), and a namespace per workspace, made on first use (`/ws-<n>`).
 */
const realistic = process.env.BENCH_SHAPE === 'realistic';
/** `BENCH_SHAPE=labelled`: the agent's `label` option set, as an app naming its users sets it. */
const labelled = process.env.BENCH_SHAPE === 'labelled';
const io = new Server(http, {
	transports: ['websocket'],
	pingInterval: 25_000,
	adapter,
	...(realistic && {
		connectionStateRecovery: { maxDisconnectionDuration: 120_000, skipMiddlewares: true }
	})
});

const onConnection = (socket: Socket) => {
	socket.on('join', (room: string) => socket.join(room));
	socket.on('leave', (room: string) => socket.leave(room));
	// The chat workload: each message goes to the sender's room, except the sender.
	socket.on('msg', (room: string, text: string, ack?: unknown) => {
		socket.to(room).emit('msg', text);
		if (typeof ack === 'function') ack();
	});
};
io.on('connection', onConnection);
if (realistic) io.of(/^\/ws-\d+$/).on('connection', onConnection);

const agentOptions = {
	auth: false,
	dashboard: false,
	...(nodeId ? { nodeId } : {}),
	...(labelled && { label: (socket: Socket) => `user-${socket.id.slice(0, 8)}` })
} as const;
let agent: Instrumentation | undefined;
if (arm === 'sockscope') agent = instrument(io, agentOptions);
// In a cluster each node names itself, as admin-ui's own dashboard tells servers apart by that name.
const adminUiId = nodeId ? { serverId: nodeId } : {};
if (arm === 'admin-ui-dev') adminUi(io, { auth: false, mode: 'development', ...adminUiId });
if (arm === 'admin-ui-prod') adminUi(io, { auth: false, mode: 'production', ...adminUiId });

/**
 * CPU split between the main thread and the rest (V8's GC and compiler helpers, libuv's pool),
 * in microseconds, from /proc (Linux only; 10 ms resolution).
 */
function threadCpu(): { mainThread?: number; otherThreads?: number } {
	try {
		let mainThread = 0;
		let otherThreads = 0;
		for (const tid of readdirSync('/proc/self/task')) {
			const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			const micros = (Number(fields[11]) + Number(fields[12])) * 10_000;
			if (Number(tid) === process.pid) mainThread += micros;
			else otherThreads += micros;
		}
		return { mainThread, otherThreads };
	} catch {
		return {};
	}
}

http.listen(0, '127.0.0.1', () => {
	process.send!({ type: 'ready', port: (http.address() as AddressInfo).port });
});

process.on('message', async (req: Request) => {
	switch (req.type) {
		case 'cpu': {
			const { user, system } = process.cpuUsage();
			process.send!({ type: 'cpu', micros: user + system, user, ...threadCpu() });
			break;
		}
		case 'heap':
			// Twice: the first pass frees what finalisers release for the second.
			global.gc?.();
			global.gc?.();
			process.send!({ type: 'heap', bytes: process.memoryUsage().heapUsed });
			break;
		case 'agent':
			process.send!({
				type: 'agent',
				sizes: agent ? { ...agent.inspect(), hostSockets: io.of('/').sockets.size } : null
			});
			break;
		// ab.ts: the same process with and without the agent, to take the process out of the comparison.
		case 'instrument':
			agent ??= instrument(io, {
				...agentOptions,
				...(req.acks === false ? { ackTimeout: false } : {})
			});
			process.send!({ type: 'instrument' });
			break;
		case 'close':
			await agent?.close();
			agent = undefined;
			process.send!({ type: 'close' });
			break;
		case 'loop-watch':
			watchLoop();
			process.send!({ type: 'loop-watch' });
			break;
		case 'loop-longest':
			clearInterval(loopTimer);
			process.send!({ type: 'loop-longest', ms: longestBlock });
			break;
		case 'exit':
			process.exit(0);
	}
});

// A bench stopped mid-run (Ctrl-C, a timeout) takes its processes with it: none is left loading the machine.
process.on('disconnect', () => process.exit(0));
