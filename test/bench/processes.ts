/** Child processes of the benchmark: a server per arm, a dashboard client, and their IPC. */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Arm, Request } from './server.js';
import type { AdapterKind } from './cluster-adapter.js';
import type {
	DashboardKind,
	DashboardPage,
	DashboardReport,
	DashboardRequest
} from './dashboard.js';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

function ask<T>(child: ChildProcess, request: object, answer: string): Promise<T> {
	return new Promise((resolve, reject) => {
		const onMessage = (m: { type: string }) => {
			if (m.type !== answer) return;
			child.off('message', onMessage);
			child.off('exit', onExit);
			resolve(m as T);
		};
		const onExit = (code: number) =>
			reject(new Error(`process exited (${code}) before answering ${answer}`));
		child.on('message', onMessage);
		child.once('exit', onExit);
		child.send(request);
	});
}

function stop(child: ChildProcess): Promise<void> {
	return new Promise((resolve) => {
		if (child.exitCode !== null) return resolve();
		child.once('exit', () => resolve());
		child.send({ type: 'exit' });
		setTimeout(() => child.kill('SIGKILL'), 3000).unref();
	});
}

/** A server's CPU time so far, in microseconds: user and system together, user alone, and by thread (Linux). */
export interface CpuReading {
	micros: number;
	user: number;
	mainThread?: number;
	otherThreads?: number;
}

export interface ServerProcess {
	port: number;
	/** The server's process id (`taskset` pins it by running node in its own place). */
	pid: number;
	cpu(): Promise<CpuReading>;
	heapBytes(): Promise<number>;
	/** Starts timing the server's event loop; `longestBlock` says the longest it was blocked since, in ms. */
	watchLoop(): Promise<void>;
	longestBlock(): Promise<number>;
	agentSizes(): Promise<Record<string, number> | null>;
	/** Attaches or detaches Sockscope's agent in the running server (ab.ts). */
	/** `acks: false`: without acknowledgement tracking. */
	instrument(options?: { acks?: boolean }): Promise<void>;
	uninstrument(): Promise<void>;
	stop(): Promise<void>;
	/** Ends the process at once, as a crash would (cluster.ts: a killed node). */
	kill(): void;
	/** Settles when the process ends, however it ends, with its exit code or signal. */
	exited: Promise<number | NodeJS.Signals | null>;
}

/** cluster.ts: the server as one node of a cluster behind Redis; not pinned, nodes share the CPUs. */
export interface ClusterNodeSpec {
	nodeId: string;
	redisUrl: string;
	adapter: AdapterKind;
}

const SERVER_CPU = 0;
export const LOAD_CPU = 1;

/**
 * The server runs on CPU 0 and everything else (the load, the dashboard) on CPU 1, so that they
 * never take turns on one core. Needs `taskset` and two CPUs; BENCH_PIN=0 turns it off.
 */
const PIN = process.env.BENCH_PIN !== '0' && cpus().length >= 2 && hasTaskset();

function hasTaskset(): boolean {
	try {
		execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

export function pinned(cpu: number): { execPath?: string; execArgv: string[] } {
	return PIN
		? { execPath: 'taskset', execArgv: ['-c', String(cpu), process.execPath] }
		: { execArgv: [] };
}

/** Moves this process (the load generator) to its CPU; says whether the run is pinned. */
export function pinLoad(): boolean {
	if (PIN)
		execFileSync('taskset', ['-a', '-p', '-c', String(LOAD_CPU), String(process.pid)], {
			stdio: 'ignore'
		});
	return PIN;
}

/** `shape`: starts the server as server.ts says for `BENCH_SHAPE=realistic` or `labelled`. */
export async function startServer(
	arm: Arm,
	node?: ClusterNodeSpec,
	shape?: 'realistic' | 'labelled'
): Promise<ServerProcess> {
	// BENCH_CPU_PROF=dir writes a V8 CPU profile of each server process there (see profile.ts).
	// BENCH_CPU_PROF_INTERVAL=µs samples more often than V8's 1 ms (first-view-profile.ts).
	const interval = process.env.BENCH_CPU_PROF_INTERVAL;
	const profile = process.env.BENCH_CPU_PROF
		? [
				'--cpu-prof',
				`--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`,
				...(interval ? [`--cpu-prof-interval=${interval}`] : [])
			]
		: [];
	// BENCH_NODE_FLAGS: more flags for the server's node, e.g. "--trace-deopt" (space-separated).
	const extra = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
	const pin = node ? { execArgv: [] } : pinned(SERVER_CPU);
	const args = node ? [arm, node.nodeId, node.redisUrl, node.adapter] : [arm];
	const child = fork(here('./server.ts'), args, {
		...pin,
		execArgv: [...pin.execArgv, '--import', 'tsx', '--expose-gc', ...profile, ...extra],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		env: { ...process.env, ...(shape && { BENCH_SHAPE: shape }) }
	});
	const { port } = await new Promise<{ port: number }>((resolve, reject) => {
		child.once('message', resolve);
		child.once('exit', (code) => reject(new Error(`server ${arm} exited with ${code}`)));
	});
	const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
		child.once('exit', (code, signal) => resolve(signal ?? code))
	);
	return {
		port,
		pid: child.pid!,
		cpu: () => ask<CpuReading>(child, { type: 'cpu' } satisfies Request, 'cpu'),
		heapBytes: async () =>
			(await ask<{ bytes: number }>(child, { type: 'heap' } satisfies Request, 'heap')).bytes,
		watchLoop: async () =>
			void (await ask(child, { type: 'loop-watch' } satisfies Request, 'loop-watch')),
		longestBlock: async () =>
			(await ask<{ ms: number }>(child, { type: 'loop-longest' } satisfies Request, 'loop-longest'))
				.ms,
		agentSizes: async () =>
			(
				await ask<{ sizes: Record<string, number> | null }>(
					child,
					{ type: 'agent' } satisfies Request,
					'agent'
				)
			).sizes,
		instrument: async (options = {}) =>
			void (await ask(child, { type: 'instrument', ...options } satisfies Request, 'instrument')),
		uninstrument: async () => void (await ask(child, { type: 'close' } satisfies Request, 'close')),
		stop: () => stop(child),
		kill: () => void child.kill('SIGKILL'),
		exited
	};
}

export interface FirstView {
	firstViewMs: number;
	firstViewBytes: number;
	/** admin-ui's dashboard only: how many sockets of the host's namespaces its first view listed. */
	sockets?: number;
}

export interface DashboardProcess {
	firstView: Promise<FirstView>;
	reset(): void;
	/**
	 * Opens the Sockets page, resolving once every node sent its part of the window (so that what
	 * is measured after is the page kept live, not its first view); or leaves it.
	 */
	socketsPage(on: boolean): Promise<void>;
	report(): Promise<DashboardReport>;
	stop(): Promise<void>;
}

export function startDashboard(
	kind: DashboardKind,
	port: number,
	page: DashboardPage = 'overview'
): DashboardProcess {
	const child = fork(here('./dashboard.ts'), [kind, String(port), page], {
		...pinned(LOAD_CPU),
		execArgv: [...pinned(LOAD_CPU).execArgv, '--import', 'tsx'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc']
	});
	const firstView = new Promise<FirstView>((resolve) => {
		const onMessage = (m: FirstView & { type: string }) => {
			if (m.type === 'first-view') {
				child.off('message', onMessage);
				resolve(m);
			}
		};
		child.on('message', onMessage);
	});
	return {
		firstView,
		reset: () => child.send({ type: 'reset' } satisfies DashboardRequest),
		socketsPage: async (on) => {
			if (!on) return void child.send({ type: 'sockets-page', on } satisfies DashboardRequest);
			await ask<unknown>(
				child,
				{ type: 'sockets-page', on } satisfies DashboardRequest,
				'sockets-page-open'
			);
		},
		report: () =>
			ask<DashboardReport>(child, { type: 'report' } satisfies DashboardRequest, 'report'),
		stop: () => stop(child)
	};
}
