/**
 * Where a server's CPU goes under the realistic workload, the kernel and the collector's threads
 * included, by Linux `perf` rather than V8's profiler (which sees neither, and charges them to
 * whatever JavaScript was on the stack):
 *
 *   npx tsx test/bench/perf-attribution.ts [--reps 4] [--clients 5000] [--rate 2000] [--top 30]
 *
 * The bare server and Sockscope, interleaved, each rep a fresh process of each, started with
 * `--perf-basic-prof` so that perf can name compiled JavaScript; `perf record -e cpu-clock`
 * samples the server through a 20 s window of the realistic workload (workloads.ts `REALISTIC`).
 * Prints each process's CPU per 1,000 delivered messages, the agent's own part of it (its
 * functions, and the `WeakMap`/`WeakSet` lookups they make) and the collector's; then the
 * symbols whose cost differs most between the two arms. Needs `perf` (Debian's linux-perf) and
 * the right to watch another process (root, or `kernel.perf_event_paranoid` ≤ 1).
 */
import { execFile, execFileSync } from 'node:child_process';
import {
	copyFileSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { sleep, startRealistic } from './load.js';
import { pinLoad, startServer } from './processes.js';
import type { Arm } from './server.js';
import { REALISTIC } from './workloads.js';

const run = promisify(execFile);
const { values: args } = parseArgs({
	options: {
		reps: { type: 'string', default: '4' },
		clients: { type: 'string', default: '5000' },
		rate: { type: 'string', default: String(REALISTIC.rate) },
		top: { type: 'string', default: '30' }
	}
});
const WARMUP_MS = 7000;
const WINDOW_S = 20;
const FREQUENCY = 4999;
const MS_PER_SAMPLE = 1000 / FREQUENCY;

/** Symbols of the agent's own cost: its functions, and the builtins of the weak maps it keys by host objects. */
const isAgentOwn = (symbol: string) =>
	symbol.includes('/server/agent/') ||
	/WeakMapLookup|WeakCollection|EphemeronHashTable/.test(symbol);
/** The collector's work, on the main thread or its helpers. */
const isCollector = (symbol: string) => /Marking|Scaveng|Sweep/.test(symbol);

/**
 * V8 appends a line to /tmp/perf-<pid>.map for every piece of code it compiles, and reuses the
 * space of code it frees: an address can carry several names, and perf may pick a stale one. The
 * map as it was when the window ended is kept, and at each address only the newest name.
 */
function newestNames(lines: string[]): string[] {
	const kept: { start: number; end: number; line: string }[] = [];
	for (let i = lines.length - 1; i >= 0; i--) {
		const [startHex, sizeHex] = lines[i].split(' ', 2);
		const start = parseInt(startHex, 16);
		const end = start + parseInt(sizeHex, 16);
		if (!Number.isFinite(start) || !Number.isFinite(end)) continue;
		if (kept.some((k) => k.start < end && start < k.end)) continue;
		kept.push({ start, end, line: lines[i] });
	}
	return kept.sort((a, b) => a.start - b.start).map((k) => k.line);
}

/** Samples per symbol (`[dso] name`, JIT code of any thread under one name) in one recording. */
async function samplesBySymbol(data: string): Promise<Map<string, number>> {
	const { stdout } = await run(
		'perf',
		['report', '-i', data, '--stdio', '--no-children', '-n', '--sort', 'dso,sym', '-q'],
		{ maxBuffer: 256 * 1024 * 1024 }
	);
	const counts = new Map<string, number>();
	for (const line of stdout.split('\n')) {
		const m = /^\s*[\d.]+%\s+(\d+)\s+(\[JIT\] tid \d+|\S+)\s+\[.\]\s+(.*)$/.exec(line);
		if (!m) continue;
		const dso = m[2].startsWith('[JIT]') ? '[JIT]' : m[2];
		const key = `${dso} ${m[3].trim()}`;
		counts.set(key, (counts.get(key) ?? 0) + Number(m[1]));
	}
	return counts;
}

async function main() {
	try {
		execFileSync('perf', ['--version'], { stdio: 'ignore' });
	} catch {
		throw new Error('perf-attribution.ts needs `perf` (Debian: apt-get install linux-perf)');
	}
	pinLoad();
	const dir = mkdtempSync(join(tmpdir(), 'sockscope-perf-'));
	process.env.BENCH_NODE_FLAGS = `${process.env.BENCH_NODE_FLAGS ?? ''} --perf-basic-prof`;
	const arms: Arm[] = ['bare', 'sockscope'];
	/** Per arm: milliseconds per 1,000 messages by symbol, summed over its processes; and their number. */
	const totals = new Map<Arm, Map<string, number>>(arms.map((a) => [a, new Map()]));
	const processes = new Map<Arm, number>(arms.map((a) => [a, 0]));
	for (let rep = 0; rep < Number(args.reps); rep++) {
		for (const arm of rep % 2 ? [...arms].reverse() : arms) {
			const server = await startServer(arm, undefined, 'realistic');
			const data = join(dir, `${arm}-${rep}.data`);
			const map = `/tmp/perf-${server.pid}.map`;
			let delivered = 0;
			try {
				const load = await startRealistic(server.port, {
					...REALISTIC,
					clients: Number(args.clients),
					rate: Number(args.rate)
				});
				try {
					await sleep(WARMUP_MS);
					const n0 = load.count();
					await run('perf', [
						'record',
						'-q',
						'-e',
						'cpu-clock',
						'-F',
						String(FREQUENCY),
						'-p',
						String(server.pid),
						'-o',
						data,
						'--',
						'sleep',
						String(WINDOW_S)
					]);
					delivered = load.count() - n0;
					const names = newestNames(readFileSync(map, 'utf8').split('\n').filter(Boolean));
					writeFileSync(`${data}.map`, `${names.join('\n')}\n`);
				} finally {
					load.stop();
				}
			} finally {
				await server.stop();
			}
			// perf reads the names at report time, from where V8 wrote them: the kept map goes back there.
			copyFileSync(`${data}.map`, map);
			const counts = await samplesBySymbol(data);
			rmSync(map, { force: true });
			for (const f of readdirSync('.'))
				if (f.startsWith('isolate-') && f.endsWith(`-${server.pid}-v8.log`)) rmSync(f);
			const perThousand = (samples: number) => (samples * MS_PER_SAMPLE * 1000) / delivered;
			let total = 0;
			let own = 0;
			let collector = 0;
			const sum = totals.get(arm)!;
			for (const [symbol, samples] of counts) {
				total += samples;
				if (isAgentOwn(symbol)) own += samples;
				if (isCollector(symbol)) collector += samples;
				sum.set(symbol, (sum.get(symbol) ?? 0) + perThousand(samples));
			}
			processes.set(arm, processes.get(arm)! + 1);
			console.log(
				`${arm.padEnd(9)} rep ${rep + 1}: ${(delivered / WINDOW_S).toFixed(0)} delivered/s; CPU ms per 1,000: ${perThousand(total).toFixed(2)}, the agent's own ${perThousand(own).toFixed(2)}, collector ${perThousand(collector).toFixed(2)}`
			);
		}
	}
	const mean = (arm: Arm, symbol: string) =>
		(totals.get(arm)!.get(symbol) ?? 0) / processes.get(arm)!;
	const symbols = new Set([...totals.get('bare')!.keys(), ...totals.get('sockscope')!.keys()]);
	const rows = [...symbols]
		.map((symbol) => ({ symbol, bare: mean('bare', symbol), agent: mean('sockscope', symbol) }))
		.sort((a, b) => Math.abs(b.agent - b.bare) - Math.abs(a.agent - a.bare))
		.slice(0, Number(args.top));
	console.log('\nmean CPU ms per 1,000 delivered messages: difference, bare, sockscope, symbol');
	for (const { symbol, bare, agent } of rows) {
		const diff = agent - bare;
		console.log(
			`${diff >= 0 ? '+' : ''}${diff.toFixed(3)} ${bare.toFixed(3).padStart(7)} ${agent.toFixed(3).padStart(7)}  ${symbol.slice(0, 140)}`
		);
	}
	rmSync(dir, { recursive: true, force: true });
	process.exit(0);
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
