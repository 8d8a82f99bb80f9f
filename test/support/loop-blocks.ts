/**
 * The host's longest event-loop block, as the loop's own thread spent it: a 1 ms timer notes how
 * long each turn took, counted in the CPU time of the thread that runs the loop (at most the wall
 * time). On a machine whose cores other work shares, a thread may wait for a core with nothing
 * to do, and the garbage collector's helper threads may run beside it: neither is the loop's
 * doing, and wall-clock gaps or the process's CPU time would count both.
 */
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const schedstat = existsSync('/proc/thread-self/schedstat') ? '/proc/thread-self/schedstat' : null;

/**
 * CPU time used so far by the calling thread, in ms: Linux's `/proc/thread-self/schedstat` (its
 * first field, in ns). Where that is missing, the whole process's user and system time.
 */
export function threadCpuMs(): number {
	if (schedstat !== null) return Number(readFileSync(schedstat, 'utf8').split(' ', 1)[0]) / 1e6;
	const { user, system } = process.cpuUsage();
	return (user + system) / 1000;
}

/** How many of the longest blocks a watch keeps, longest first. */
const KEPT = 8;

/**
 * Starts watching the loop; `stop()` ends it and returns the longest block seen, in ms, and
 * `longest()` the longest few so far, longest first.
 */
export function watchLoopBlocks(): { stop(): number; longest(): number[] } {
	const kept: number[] = [];
	let lastWall = performance.now();
	let lastCpu = threadCpuMs();
	const ticker = setInterval(() => {
		const wall = performance.now();
		const cpu = threadCpuMs();
		keep(kept, Math.min(wall - lastWall, cpu - lastCpu));
		lastWall = wall;
		lastCpu = cpu;
	}, 1);
	return {
		stop() {
			clearInterval(ticker);
			return kept[0] ?? 0;
		},
		longest: () => [...kept]
	};
}

/** Puts `block` in its place among the longest kept, dropping the shortest past `KEPT`. */
function keep(kept: number[], block: number): void {
	if (kept.length === KEPT && block <= kept[KEPT - 1]) return;
	let i = kept.length;
	while (i > 0 && kept[i - 1] < block) i--;
	kept.splice(i, 0, block);
	if (kept.length > KEPT) kept.pop();
}
