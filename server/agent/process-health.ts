/** Process health for the sample: CPU, memory, event-loop utilisation and delay. */
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import type { ProcessHealth } from '../protocol/models.js';

export interface HealthProbe {
	/** Health over the interval since the previous call. */
	read(): ProcessHealth;
	dispose(): void;
}

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

export function createHealthProbe(): HealthProbe {
	// 20 ms resolution: fine enough to see a blocked loop, cheap enough to leave on in production.
	const delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
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
					p50: ms(delay.percentile(50)),
					p90: ms(delay.percentile(90)),
					p99: ms(delay.percentile(99)),
					max: ms(delay.max),
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
