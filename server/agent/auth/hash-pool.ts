/**
 * bcrypt off the host's event loop. bcryptjs' async calls still run on the calling thread, in
 * slices of up to 100 ms each, so 200 logins at once stalled a host for seconds; here every hash
 * runs in one worker thread, which starts with the first login and ends with the agent. One
 * worker is the global concurrency limit: a login flood costs the host one core at most, and what
 * waits beyond `MAX_QUEUED` is refused at once (`E_RATE_LIMITED`) instead of queueing without end.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { AgentError } from '../base/errors.js';

/** Checks waiting for the worker; a login beyond is told to retry. */
export const MAX_QUEUED = 64;

// Plain CommonJS, evaluated: the worker needs no file of its own next to the compiled agent.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcrypt);
// On Linux a thread has its own niceness: this one yields the CPU to the host's own threads.
try { require('node:os').setPriority(19); } catch {}
parentPort.on('message', ({ id, op, text, arg }) => {
	try {
		const result = op === 'compare' ? bcrypt.compareSync(text, arg) : bcrypt.hashSync(text, arg);
		parentPort.postMessage({ id, result });
	} catch (err) {
		parentPort.postMessage({ id, error: String(err && err.message) });
	}
});
`;

type Job = { op: 'compare'; text: string; arg: string } | { op: 'hash'; text: string; arg: number };

export interface HashPool {
	compare(password: string, hash: string): Promise<boolean>;
	hash(password: string, cost: number): Promise<string>;
	dispose(): void;
}

export function createHashPool(): HashPool {
	let worker: Worker | undefined;
	let next = 0;
	const waiting = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();

	function failAll(err: Error): void {
		for (const job of waiting.values()) job.reject(err);
		waiting.clear();
	}

	function start(): Worker {
		const bcrypt = createRequire(import.meta.url).resolve('bcryptjs');
		const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcrypt } });
		// Logins must never keep the host's process alive.
		w.unref();
		w.on('message', ({ id, result, error }: { id: number; result?: unknown; error?: string }) => {
			const job = waiting.get(id);
			waiting.delete(id);
			if (error !== undefined) job?.reject(new Error(error));
			else job?.resolve(result);
		});
		w.on('error', (err) => failAll(err));
		w.on('exit', () => {
			if (worker === w) worker = undefined;
			failAll(new Error('the password worker stopped'));
		});
		return w;
	}

	function run(job: Job): Promise<unknown> {
		if (waiting.size >= MAX_QUEUED) {
			return Promise.reject(
				new AgentError('E_RATE_LIMITED', 'too many logins at once; try again in a moment', 1)
			);
		}
		worker ??= start();
		const id = next++;
		const w = worker;
		return new Promise((resolve, reject) => {
			waiting.set(id, { resolve, reject });
			w.postMessage({ id, ...job });
		});
	}

	return {
		compare: (text, hash) => run({ op: 'compare', text, arg: hash }) as Promise<boolean>,
		hash: (text, cost) => run({ op: 'hash', text, arg: cost }) as Promise<string>,
		dispose() {
			const w = worker;
			worker = undefined;
			failAll(new AgentError('E_AUTH_INVALID'));
			void w?.terminate();
		}
	};
}
