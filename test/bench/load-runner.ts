/**
 * The parent's side of load-process.ts: forks it for one workload and waits for its figures. Apart
 * from processes.ts because the job names the workloads, which themselves start servers there.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Job } from './load-process.js';
import { LOAD_CPU, pinned } from './processes.js';

/** Runs one workload in a fresh load process (load-process.ts), on the load's CPU. */
export function runInLoadProcess<T>(job: Job): Promise<T> {
	const child = fork(fileURLToPath(new URL('./load-process.ts', import.meta.url)), [], {
		...pinned(LOAD_CPU),
		execArgv: [...pinned(LOAD_CPU).execArgv, '--import', 'tsx'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc']
	});
	return new Promise((resolve, reject) => {
		child.once(
			'message',
			(m: { type: 'result'; result: T } | { type: 'error'; message: string }) =>
				m.type === 'result' ? resolve(m.result) : reject(new Error(m.message))
		);
		child.once('exit', (code) =>
			reject(new Error(`load process exited (${code}) without a result`))
		);
		child.send(job);
	});
}
