/** Process health for the sample: CPU, memory, event-loop utilisation and delay. */
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import type { ProcessHealth } from '../protocol/models.js';

export interface HealthProbe {
	/** Health over the interval since the previous call. */
	read(): ProcessHealth;
	dispose(): void;
}

const RESOLUTION_MS = 20;
/**
 * The histogram records the time between two ticks of a `RESOLUTION_MS` timer; the delay is what
 * exceeds the resolution.
 */
const delayMs = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);

export function createHealthProbe(): HealthProbe {
	// 20 ms resolution: fine enough to see a blocked loop, cheap enough to leave on in production.
	const delay: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
	delay.enable();
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
					p50: delayMs(delay.percentile(50)),
					p90: delayMs(delay.percentile(90)),
					p99: delayMs(delay.percentile(99)),
					max: delayMs(delay.max),
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
			delay.disable();
		}
	};
}
