/** Child processes of the benchmark: a server per arm, a dashboard client, and their IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Arm, Request } from './server.js';
import type { DashboardKind, DashboardReport, DashboardRequest } from './dashboard.js';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

function ask<T>(child: ChildProcess, request: object, answer: string): Promise<T> {
	return new Promise((resolve, reject) => {
		const onMessage = (m: { type: string }) => {
			if (m.type !== answer) return;
			child.off('message', onMessage);
			child.off('exit', onExit);
			resolve(m as T);
		};
		const onExit = (code: number) => reject(new Error(`process exited (${code}) before answering ${answer}`));
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

export interface ServerProcess {
	port: number;
	cpuMicros(): Promise<number>;
	heapBytes(): Promise<number>;
	agentSizes(): Promise<Record<string, number> | null>;
	stop(): Promise<void>;
}

export async function startServer(arm: Arm): Promise<ServerProcess> {
	const child = fork(here('./server.ts'), [arm], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const { port } = await new Promise<{ port: number }>((resolve, reject) => {
		child.once('message', resolve);
		child.once('exit', (code) => reject(new Error(`server ${arm} exited with ${code}`)));
	});
	return {
		port,
		cpuMicros: async () => (await ask<{ micros: number }>(child, { type: 'cpu' } satisfies Request, 'cpu')).micros,
		heapBytes: async () => (await ask<{ bytes: number }>(child, { type: 'heap' } satisfies Request, 'heap')).bytes,
		agentSizes: async () => (await ask<{ sizes: Record<string, number> | null }>(child, { type: 'agent' } satisfies Request, 'agent')).sizes,
		stop: () => stop(child)
	};
}

export interface DashboardProcess {
	firstView: Promise<{ firstViewMs: number; firstViewBytes: number }>;
	reset(): void;
	report(): Promise<DashboardReport>;
	stop(): Promise<void>;
}

export function startDashboard(kind: DashboardKind, port: number): DashboardProcess {
	const child = fork(here('./dashboard.ts'), [kind, String(port)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const firstView = new Promise<{ firstViewMs: number; firstViewBytes: number }>((resolve) => {
		const onMessage = (m: { type: string; firstViewMs: number; firstViewBytes: number }) => {
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
		report: () => ask<DashboardReport>(child, { type: 'report' } satisfies DashboardRequest, 'report'),
		stop: () => stop(child)
	};
}
