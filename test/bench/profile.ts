/**
 * Profiles one run of a server arm and says where its CPU went:
 *
 *   npx tsx test/bench/profile.ts [arm] [chat|churn|realistic] [dashboard] [--acks]    e.g. sockscope churn dashboard
 *
 * Runs the workload with BENCH_CPU_PROF set, then sums the V8 profile's self time by source
 * file, so that the agent's share of the server's CPU reads directly (server/agent/… lines).
 * `--acks`: half the chat's messages are sent with an acknowledgement, and the last line is the
 * share of the server's busy CPU spent with acknowledgement tracking on the stack (`isAckTracking`).
 * `realistic`: the realistic workload at 5,000 sockets (workloads.ts), over 1,000 namespaces.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Arm } from './server.js';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string };
	children?: number[];
}
interface Profile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

/** Samples that are not idle. */
function busy(p: Profile): number {
	const idle = new Set(
		p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id)
	);
	return p.samples.filter((id) => !idle.has(id)).length;
}

const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith('--')));
const [armArg, workloadArg, dashboardArg] = process.argv
	.slice(2)
	.filter((a) => !a.startsWith('--'));
const arm = (armArg ?? 'sockscope') as Arm;
const workload =
	workloadArg === 'churn' || workloadArg === 'realistic' ? workloadArg : ('chat' as const);
const acks = flags.has('--acks');
/** The agent's acknowledgement tracking: its tables and figures, and the engine's reading of ack packets. */
const ACK_FILES = /\/server\/agent\/(collectors\/acks|collectors\/msgpack-acks|ack-metrics)\.ts$/;
const isAckTracking = ({ url, functionName }: ProfileNode['callFrame']) =>
	ACK_FILES.test(url) ||
	(url.endsWith('/server/agent/observe/collectors/engine.ts') && functionName === 'countAck');
const dir = mkdtempSync(join(tmpdir(), 'sockscope-prof-'));
process.env.BENCH_CPU_PROF = dir;
const { chat, churn, realistic, DEFAULT_SETTINGS } = await import('./workloads.js');
const armSpec = {
	name: arm,
	server: arm,
	dashboard:
		dashboardArg === 'dashboard' ? (arm === 'sockscope' ? 'sockscope' : 'admin-ui') : undefined
} as const;
const settings = {
	...DEFAULT_SETTINGS,
	warmupMs: 2000,
	windowMs: 20_000,
	...(acks && { ackShare: 0.5 })
};
const result: Record<string, number | undefined> =
	workload === 'realistic'
		? // Its window is twice the setting's: 20 s as the others.
			(await realistic(armSpec, [5000], { ...settings, windowMs: 10_000 }))[5000]
		: await (workload === 'chat' ? chat : churn)(armSpec, settings);
console.log(`${arm}, ${workload}: ${JSON.stringify(result)}`);

// One profile per thread (tsx's loader has its own): the server's is the one with the most samples.
const profiles = readdirSync(dir)
	.filter((f) => f.endsWith('.cpuprofile'))
	.map((f) => ({ file: f, profile: JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile }))
	.sort((a, b) => busy(b.profile) - busy(a.profile));
if (!profiles.length) throw new Error(`no profile written in ${dir}`);
const { file, profile } = profiles[0];
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) =>
	selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
);

const byFile = new Map<string, number>();
let total = 0;
for (const [id, micros] of selfMicros) {
	const { url, functionName } = byId.get(id)!.callFrame;
	const key = url
		? url
				.replace(/^file:\/\//, '')
				.replace(process.cwd() + '/', '')
				.replace(/^.*node_modules\//, 'node_modules/')
		: `(${functionName || 'native'})`;
	byFile.set(key, (byFile.get(key) ?? 0) + micros);
	total += micros;
}
const agent = [...byFile]
	.filter(([k]) => k.startsWith('server/agent/'))
	.reduce((sum, [, v]) => sum + v, 0);
console.log(`profile ${join(dir, file)}: ${(total / 1e6).toFixed(1)} s sampled`);
for (const [key, micros] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
	console.log(
		`${((micros / total) * 100).toFixed(2).padStart(6)}% ${(micros / 1e6).toFixed(2).padStart(6)} s  ${key}`
	);
}
// Inclusive: samples with the agent anywhere on the stack, which also counts what its code calls
// (event listeners registered, Maps and WeakMaps, Buffer) but not the GC its garbage causes.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inAgent = new Map<number, boolean>();
const underAgent = (id: number): boolean => {
	let known = inAgent.get(id);
	if (known === undefined) {
		const up = parent.get(id);
		known =
			byId.get(id)!.callFrame.url.includes('/server/agent/') ||
			(up !== undefined && underAgent(up));
		inAgent.set(id, known);
	}
	return known;
};
let agentInclusive = 0;
let idle = 0;
for (const [id, micros] of selfMicros) {
	if (underAgent(id)) agentInclusive += micros;
	if (byId.get(id)!.callFrame.functionName === '(idle)') idle += micros;
}
const busyMicros = total - idle;
console.log(
	`server/agent/ self time: ${((agent / total) * 100).toFixed(2)}% of the server's samples`
);
console.log(
	`busy (not idle): ${(busyMicros / 1e6).toFixed(2)} s; server/agent/ on the stack: ${(agentInclusive / 1e6).toFixed(2)} s, ${((agentInclusive / busyMicros) * 100).toFixed(1)}% of busy`
);
// The agent's entry points (its outermost frame on each stack), by inclusive time: which hook costs what.
const entries = new Map<string, number>();
for (const [id, micros] of selfMicros) {
	let outermost: ProfileNode | undefined;
	for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
		const node = byId.get(n)!;
		if (node.callFrame.url.includes('/server/agent/')) outermost = node;
	}
	if (!outermost) continue;
	const key = `${outermost.callFrame.functionName || '(anonymous)'} ${outermost.callFrame.url.split('/').slice(-2).join('/')}`;
	entries.set(key, (entries.get(key) ?? 0) + micros);
}
for (const [key, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
	console.log(`${(micros / 1000).toFixed(1).padStart(8)} ms  ${key}`);
}
if (acks) {
	// Samples with a frame of the ack tracking anywhere on the stack: its own code and what it calls.
	const tracking = new Map<number, boolean>();
	const underTracking = (id: number): boolean => {
		let known = tracking.get(id);
		if (known === undefined) {
			const up = parent.get(id);
			known = isAckTracking(byId.get(id)!.callFrame) || (up !== undefined && underTracking(up));
			tracking.set(id, known);
		}
		return known;
	};
	let micros = 0;
	let samples = 0;
	let busySamples = 0;
	const idleIds = new Set(
		profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id)
	);
	for (const id of profile.samples) {
		if (idleIds.has(id)) continue;
		busySamples++;
		if (underTracking(id)) samples++;
	}
	for (const [id, t] of selfMicros) if (underTracking(id)) micros += t;
	// A share of samples: its 95% interval as a binomial proportion's (normal approximation).
	const p = samples / busySamples;
	const half = 1.96 * Math.sqrt((p * (1 - p)) / busySamples);
	console.log(
		`ack tracking on the stack: ${(micros / 1000).toFixed(0)} ms of ${(busyMicros / 1000).toFixed(0)} ms busy, ` +
			`${(p * 100).toFixed(2)}% of ${busySamples} busy samples (95% ${((p - half) * 100).toFixed(2)}–${((p + half) * 100).toFixed(2)}%)`
	);
}
process.exit(0);
