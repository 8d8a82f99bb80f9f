/** Process health for the sample: CPU, memory, event-loop utilisation and delay. */
import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks';
import type { ProcessHealth } from '../../protocol/models.js';

export interface HealthProbe {
	/** Health over the interval since the previous call. */
	read(): ProcessHealth;
	dispose(): void;
}

/**
 * Each tick of the delay timer wakes an idle process, which on a 2-core VM costs about 80 µs of
 * CPU: at 50 ms, 4 ms of CPU a second on an idle server (a busy one is awake anyway). Every block
 * of 50 ms or more delays a tick, and is read as at least its length less 50 ms; a shorter one is
 * seen when a tick falls due inside it.
 */
const RESOLUTION_MS = 50;

/**
 * The event loop's delay: how late each tick of a `RESOLUTION_MS` timer fires, in nanoseconds.
 * Not `monitorEventLoopDelay`: resetting its histogram also forgets its previous tick, so the
 * tick after each sample is never recorded — and when a block starts just after a sample, that
 * tick is the one it delays, and the block goes unseen.
 */
function loopDelayProbe() {
	const histogram: RecordableHistogram = createHistogram();
	let last = performance.now();
	const timer = setInterval(() => {
		const now = performance.now();
		const lateMs = now - last - RESOLUTION_MS;
		last = now;
		histogram.record(Math.max(1, Math.round(lateMs * 1e6)));
	}, RESOLUTION_MS);
	// The agent must never keep the host's process alive.
	timer.unref();
	return { histogram, stop: () => clearInterval(timer) };
}

const toMs = (ns: number) => Math.round(ns / 1e4) / 100;

export function createHealthProbe(): HealthProbe {
	const { histogram: delay, stop } = loopDelayProbe();
	let lastCpu = process.cpuUsage();
	let lastTime = performance.now();
	let lastElu = performance.eventLoopUtilization();

	return {
		read() {
			const now = performance.now();
			const cpu = process.cpuUsage(lastCpu);
			const elu = performance.eventLoopUtilization(lastElu);
			const elapsed = now - lastTime;
			const memory = process.memoryUsage();
			const health: ProcessHealth = {
				cpu: elapsed > 0 ? Math.round(((cpu.user + cpu.system) / 1000 / elapsed) * 1000) / 10 : 0,
				rss: memory.rss,
				heapUsed: memory.heapUsed,
				heapTotal: memory.heapTotal,
				elu: Math.round(elu.utilization * 1000) / 1000,
				loopDelay: {
					p50: toMs(delay.percentile(50)),
					p90: toMs(delay.percentile(90)),
					p99: toMs(delay.percentile(99)),
					max: toMs(delay.max),
					count: delay.count
				},
				uptime: Math.round(process.uptime())
			};
			delay.reset();
			lastCpu = process.cpuUsage();
			lastTime = now;
			lastElu = performance.eventLoopUtilization();
			return health;
		},
		dispose() {
			stop();
		}
	};
}
