/**
 * bcrypt off the host's event loop, shared fairly between client addresses.
 *
 * bcryptjs' async calls still run on the calling thread, in slices of up to 100 ms each, so 200
 * logins at once stalled a host for seconds; here every hash runs in one worker thread, which
 * starts with the first login and ends with the agent. One worker is the global concurrency
 * limit: a login flood costs the host one core at most.
 *
 * Who waits for that worker is the door an attacker pushes on. A shared FIFO let one address keep
 * it full (a red team kept the 64 places taken from one address and the admin's correct login was
 * refused 8 times of 8). So the waiting room is a fair queue per address group (IPv4 address,
 * IPv6 /64): each group has its own line of at most `PER_ADDRESS` checks, and the worker takes
 * one check from each line in turn. A flood from one address then delays another address's login
 * by one check per other busy address, never by the flood's length. We chose this over reserving
 * room for known users because the attacker can also guess with a known name (`admin`): fairness
 * by address holds whatever names are used, and unknown names never get here at all
 * (passwords.ts answers them without the worker).
 *
 * Memory is bounded: at most `MAX_QUEUED` checks wait in all, `PER_ADDRESS` per group. When all
 * places are taken, an address with nothing waiting still gets in by pushing out the newest check
 * of the longest line (refused `E_RATE_LIMITED`), so only an attacker holding more addresses than
 * there are places can keep a newcomer out.
 */
import { Worker } from 'node:worker_threads';
import { AgentError } from '../base/errors.js';
import { packageRoot, packageRequire } from '../base/package-files.js';

let bcryptjsMissingTold = false;

/**
 * bcryptjs' file for the worker, which loads it by path: resolved from the package's root, not
 * from this file, which inside an app's bundle is the bundle. Missing, every login would fail
 * with nothing but a refusal on the dashboard, so the operator is told once, with the fix.
 */
function bcryptjsPath(): string {
	try {
		return packageRequire().resolve('bcryptjs');
	} catch (err) {
		if (!bcryptjsMissingTold) {
			bcryptjsMissingTold = true;
			const { root, searched } = packageRoot();
			console.error(
				`sockscope: password logins cannot work: bcryptjs, which checks passwords in a worker thread, cannot be found from ${root ?? searched.concat(process.cwd()).join(', ')}. ` +
					'Install the app with its dependencies (`npm install sockscope`): when bundling the app, keep `sockscope` external, or ship node_modules/sockscope and node_modules/bcryptjs beside the bundle.'
			);
		}
		throw err;
	}
}

/** Checks waiting for the worker, all addresses together. */
export const MAX_QUEUED = 64;
/** Checks one address group may have waiting or running (real or pretended, see `hold`). */
export const PER_ADDRESS = 4;
/** Durations of recent checks kept, from which a pretended check draws its own. */
const SAMPLES = 32;

// Plain CommonJS, evaluated: the worker needs no file of its own next to the compiled agent.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcrypt);
// On Linux a thread has its own niceness: this one yields the CPU to the host's own threads.
try { require('node:os').setPriority(19); } catch {}
parentPort.on('message', ({ id, text, arg }) => {
	try {
		const result = bcrypt.compareSync(text, arg);
		parentPort.postMessage({ id, result });
	} catch (err) {
		parentPort.postMessage({ id, error: String(err && err.message) });
	}
});
`;

type Work = { op: 'compare'; text: string; arg: string };

interface Job {
	work: Work;
	from: string;
	queuedAt: number;
	resolve(value: unknown): void;
	reject(err: Error): void;
}

export interface HashPool {
	/** Compares in the worker, in `from`'s line; `E_RATE_LIMITED` when that line is full. */
	compare(password: string, hash: string, from: string): Promise<boolean>;
	/**
	 * Takes a place in `from`'s line like a compare would, and gives it back after as long as a
	 * recent compare took (queueing included), without using the worker: the answer to an
	 * unknown user name, which must cost the same time and be refused the same way when busy.
	 * Before any compare was measured, `calibrate` makes one.
	 */
	hold(from: string, calibrate: () => Promise<unknown>): Promise<void>;
	/** Checks waiting or running, and places held, of all addresses (for tests and inspect). */
	readonly size: number;
	dispose(): void;
}

const busy = () =>
	new AgentError('E_RATE_LIMITED', 'too many logins at once; try again in a moment', 1);

export function createHashPool(): HashPool {
	let worker: Worker | undefined;
	let next = 0;
	/** Lines by address group; the Map's order is the round-robin: the served line moves last. */
	const lines = new Map<string, Job[]>();
	let queued = 0;
	/** The one job the worker is running; the next is posted when it answers. */
	let running: { id: number; job: Job } | undefined;
	/** Places held by pretended checks, per address group (entries at zero are deleted). */
	const held = new Map<string, number>();
	let holding = 0;
	/** Pretended checks' timers, with what ends each early when the agent closes. */
	const timers = new Map<NodeJS.Timeout, () => void>();
	/** Recent durations (ms) of real compares, from queueing to answer: a ring. */
	const samples: number[] = [];
	let sampled = 0;
	let disposed = false;

	function failAll(err: Error): void {
		const jobs = [...lines.values()].flat();
		lines.clear();
		queued = 0;
		if (running) jobs.push(running.job);
		running = undefined;
		for (const job of jobs) job.reject(err);
	}

	function start(): Worker {
		const bcrypt = bcryptjsPath();
		const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcrypt } });
		// Logins must never keep the host's process alive.
		w.unref();
		w.on('message', ({ id, result, error }: { id: number; result?: unknown; error?: string }) => {
			if (running?.id !== id) return;
			const { job } = running;
			running = undefined;
			if (error !== undefined) job.reject(new Error(error));
			else {
				measured(performance.now() - job.queuedAt);
				job.resolve(result);
			}
			pump();
		});
		w.on('error', (err) => failAll(err));
		w.on('exit', () => {
			if (worker === w) worker = undefined;
			failAll(new Error('the password worker stopped'));
		});
		return w;
	}

	function measured(ms: number): void {
		samples[sampled++ % SAMPLES] = ms;
	}

	/** Posts the next line's first job, if the worker is free. */
	function pump(): void {
		if (running || disposed) return;
		const first = lines.entries().next();
		if (first.done) return;
		const [from, line] = first.value;
		const job = line.shift()!;
		queued--;
		lines.delete(from);
		// Back of the round if it still has work: every other line goes first.
		if (line.length > 0) lines.set(from, line);
		try {
			worker ??= start();
		} catch (err) {
			// No worker to be had (bcryptjs missing): this check fails now rather than waiting forever.
			job.reject(err as Error);
			return pump();
		}
		const id = next++;
		running = { id, job };
		worker.postMessage({ id, ...job.work });
	}

	/** What `from` has in the pool now: waiting, running and held. */
	function placesOf(from: string): number {
		return (lines.get(from)?.length ?? 0) + (held.get(from) ?? 0) + (running?.job.from === from ? 1 : 0);
	}

	/**
	 * Whether `from` may add one check, making room by pushing out another address's newest
	 * check when the pool is full; throws `E_RATE_LIMITED` otherwise. Real and pretended checks
	 * pass the same door, so that being refused says nothing about the name.
	 */
	function admit(from: string): void {
		const mine = placesOf(from);
		if (mine >= PER_ADDRESS) throw busy();
		if (queued < MAX_QUEUED) return;
		if (mine > 0) throw busy();
		let longest: Job[] | undefined;
		for (const line of lines.values()) if (line.length > (longest?.length ?? 1)) longest = line;
		if (!longest) throw busy();
		queued--;
		longest.pop()!.reject(busy());
	}

	function run(work: Work, from: string): Promise<unknown> {
		if (disposed) return Promise.reject(new AgentError('E_AUTH_INVALID'));
		try {
			admit(from);
		} catch (err) {
			return Promise.reject(err);
		}
		return new Promise((resolve, reject) => {
			const line = lines.get(from);
			const job = { work, from, queuedAt: performance.now(), resolve, reject };
			if (line) line.push(job);
			else lines.set(from, [job]);
			queued++;
			pump();
		});
	}

	/** A duration drawn from the recent compares: same distribution, so no tell-tale mean. */
	function draw(): number {
		const n = Math.min(sampled, SAMPLES);
		return samples[Math.floor(Math.random() * n)];
	}

	return {
		compare: (text, hash, from) => run({ op: 'compare', text, arg: hash }, from) as Promise<boolean>,
		async hold(from, calibrate) {
			if (disposed) throw new AgentError('E_AUTH_INVALID');
			admit(from);
			held.set(from, (held.get(from) ?? 0) + 1);
			holding++;
			const started = performance.now();
			try {
				// Once per agent: the first login, if its name is unknown, pays for one real compare.
				if (sampled === 0) await calibrate();
				const left = (sampled > 0 ? draw() : 0) - (performance.now() - started);
				if (left > 0 && !disposed) {
					await new Promise<void>((resolve) => {
						const timer = setTimeout(() => {
							timers.delete(timer);
							resolve();
						}, left);
						// A pretended check must never keep the host's process alive.
						timer.unref();
						timers.set(timer, resolve);
					});
				}
			} finally {
				const left = (held.get(from) ?? 1) - 1;
				if (left > 0) held.set(from, left);
				else held.delete(from);
				holding--;
			}
		},
		get size() {
			return queued + holding + (running ? 1 : 0);
		},
		dispose() {
			disposed = true;
			const w = worker;
			worker = undefined;
			failAll(new AgentError('E_AUTH_INVALID'));
			for (const [timer, resolve] of timers) {
				clearTimeout(timer);
				resolve();
			}
			timers.clear();
			void w?.terminate();
		}
	};
}
