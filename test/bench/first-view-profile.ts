/**
 * Where the host's longest event-loop block goes while a dashboard gets its first full view:
 *
 *   npx tsx test/bench/first-view-profile.ts [sockets] [dashboards] [--no-profile]   e.g. 10000 5
 *
 * Connects idle sockets in rooms of 10 (as the scale bench does), opens one Sockscope dashboard
 * after another on the server, each measured as `npm run bench -- --scale` measures it, with a
 * V8 CPU profile of the server sampled every 100 µs. Then lists the longest stretches without an
 * idle sample and, for each, the functions that took its time. A stretch may hold several turns
 * of the event loop (work split with setImmediate never lets it idle): the stalls printed first,
 * from a 1 ms timer as the bench reads them, are the blocks the host felt.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeAll, connectMany, sleep } from './load.js';
import { pinLoad, startDashboard, startServer } from './processes.js';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface Profile {
	startTime: number;
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

const count = Number(process.argv[2] ?? 10_000);
const dashboards = Number(process.argv[3] ?? 5);
// Without the profile (whose sampling slows the server), only the stalls: their spread over views.
const profiling = !process.argv.includes('--no-profile');
const dir = mkdtempSync(join(tmpdir(), 'sockscope-first-view-'));
if (profiling) {
	process.env.BENCH_CPU_PROF = dir;
	process.env.BENCH_CPU_PROF_INTERVAL = '100';
}
pinLoad();

const server = await startServer('sockscope');
const clients = await connectMany(server.port, count, (socket, n) =>
	socket.once('connect', () => socket.emit('join', `room-${Math.floor(n / 10)}`))
);
await sleep(1500);
const stalls: number[] = [];
/** Each first view's span on the monotonic clock, in µs, as V8's profile times its samples. */
const spans: [number, number][] = [];
const now = () => Number(process.hrtime.bigint() / 1000n);
for (let i = 0; i < dashboards; i++) {
	await server.watchLoop();
	await sleep(500);
	const idle = await server.longestBlock();
	await server.watchLoop();
	const from = now();
	const dashboard = startDashboard('sockscope', server.port, 'sockets');
	const first = await dashboard.firstView;
	const stall = await server.longestBlock();
	spans.push([from, now()]);
	stalls.push(stall);
	console.log(
		`dashboard ${i + 1}: first view ${(first.firstViewBytes / 1024).toFixed(1)} KB in ${first.firstViewMs.toFixed(0)} ms, stall ${stall.toFixed(1)} ms (idle ${idle.toFixed(1)} ms)`
	);
	await sleep(2500);
	await dashboard.stop();
}
closeAll(clients);
await server.stop();
if (!profiling) {
	console.log(`stalls: ${stalls.map((s) => s.toFixed(1)).join(', ')} ms`);
	process.exit(0);
}

// One profile per thread (tsx's loader has its own): the server's is the one with the most samples.
const profiles = readdirSync(dir)
	.filter((f) => f.endsWith('.cpuprofile'))
	.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile);
const profile = profiles.find((p) =>
	p.nodes.some((n) => n.callFrame.url.includes('/server/agent/'))
);
if (!profile) throw new Error(`no profile written in ${dir}`);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n: ProfileNode) => {
	const file = n.callFrame.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '');
	return `${n.callFrame.functionName || '(anonymous)'} ${file.replace(/^.*node_modules\//, '')}:${n.callFrame.lineNumber + 1}`;
};

// Stretches of samples with no idle one between them, during a first view: the event loop did
// not wait meanwhile.
interface Stretch {
	from: number;
	to: number;
	micros: number;
}
const stretches: Stretch[] = [];
let open: Stretch | null = null;
let t = profile.startTime;
profile.samples.forEach((id, i) => {
	t += profile.timeDeltas[i];
	const during = spans.some(([a, b]) => t >= a && t <= b);
	const idle = !during || byId.get(id)!.callFrame.functionName === '(idle)';
	const dt = profile.timeDeltas[i + 1] ?? 0;
	if (idle) {
		if (open) stretches.push(open);
		open = null;
	} else if (open) {
		open.to = i;
		open.micros += dt;
	} else open = { from: i, to: i, micros: dt };
});
stretches.sort((a, b) => b.micros - a.micros);
for (const s of stretches.slice(0, Math.max(3, dashboards))) {
	console.log(`\nbusy stretch of ${(s.micros / 1000).toFixed(1)} ms:`);
	const self = new Map<string, number>();
	const inclusive = new Map<string, number>();
	for (let i = s.from; i <= s.to; i++) {
		const dt = profile.timeDeltas[i + 1] ?? 0;
		const node = byId.get(profile.samples[i])!;
		self.set(name(node), (self.get(name(node)) ?? 0) + dt);
		const seen = new Set<string>();
		for (let n: number | undefined = node.id; n !== undefined; n = parent.get(n)) {
			const key = name(byId.get(n)!);
			if (seen.has(key)) continue;
			seen.add(key);
			inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
		}
	}
	const top = (m: Map<string, number>, k: number) =>
		[...m]
			.sort((a, b) => b[1] - a[1])
			.slice(0, k)
			.map(([key, us]) => `  ${(us / 1000).toFixed(2).padStart(6)} ms  ${key}`);
	console.log(' self:');
	console.log(top(self, 10).join('\n'));
	console.log(' inclusive, agent frames:');
	console.log(
		top(
			new Map(
				[...inclusive].filter(
					([k]) => k.includes('server/agent/') || k.includes('server/protocol/')
				)
			),
			12
		).join('\n')
	);
}
console.log(`\nstalls: ${stalls.map((s) => s.toFixed(1)).join(', ')} ms; profile in ${dir}`);
process.exit(0);
