/**
 * `npm run bench`: Sockscope against a bare server and against @socket.io/admin-ui, in one run.
 * Arms are interleaved and repeated; medians are reported, each as a ratio to the bare server of
 * the same run, and written with the raw figures to bench-results/latest.json.
 *
 *   npm run bench                 the full comparison (about 10 minutes on 2 cores)
 *   npm run bench -- --quick      one repetition, shorter windows
 *   npm run bench -- --soak       10 minutes of churn; the agent's maps must end empty
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { chat, churn, scale, soak, type ArmSpec, type Settings } from './workloads.js';

const { values: args } = parseArgs({
	options: {
		quick: { type: 'boolean', default: false },
		soak: { type: 'boolean', default: false },
		'soak-minutes': { type: 'string', default: '10' },
		reps: { type: 'string' },
		'chat-rate': { type: 'string' }
	}
});

const reps = Number(args.reps ?? (args.quick ? 1 : 3));
const settings: Settings = {
	chatClients: 1000,
	roomSize: 10,
	chatRate: Number(args['chat-rate'] ?? 5000),
	churnRate: 400,
	warmupMs: args.quick ? 1000 : 2000,
	windowMs: args.quick ? 3000 : 5000
};

const ARMS: ArmSpec[] = [
	{ name: 'bare', server: 'bare' },
	{ name: 'sockscope', server: 'sockscope' },
	{ name: 'sockscope + dashboard', server: 'sockscope', dashboard: 'sockscope' },
	{ name: 'admin-ui dev', server: 'admin-ui-dev' },
	{ name: 'admin-ui dev + dashboard', server: 'admin-ui-dev', dashboard: 'admin-ui' },
	{ name: 'admin-ui prod', server: 'admin-ui-prod' },
	{ name: 'admin-ui prod + dashboard', server: 'admin-ui-prod', dashboard: 'admin-ui' }
];
const SCALE_ARMS: ArmSpec[] = [
	{ name: 'bare', server: 'bare' },
	{ name: 'sockscope + dashboard', server: 'sockscope', dashboard: 'sockscope' },
	{ name: 'admin-ui dev + dashboard', server: 'admin-ui-dev', dashboard: 'admin-ui' }
];

type Figures = Record<string, number | undefined>;
const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function medians(runs: Figures[]): Figures {
	const out: Figures = {};
	for (const key of Object.keys(runs[0] ?? {})) {
		const values = runs.map((r) => r[key]).filter((v): v is number => typeof v === 'number');
		if (values.length) out[key] = median(values);
	}
	return out;
}

const fmt = (n: number | undefined, digits = 0) =>
	n === undefined ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || !b ? '—' : `${(a / b).toFixed(2)}×`);

async function main() {
	const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
	console.log(`sockscope bench on ${machine}`);
	mkdirSync('bench-results', { recursive: true });

	if (args.soak) {
		const result = await soak(Number(args['soak-minutes']), settings);
		console.log(JSON.stringify(result, null, 2));
		writeFileSync('bench-results/soak.json', JSON.stringify({ machine, ...result }, null, 2));
		const sizes = result.afterAllLeft ?? {};
		const empty = sizes.sockets === 0 && sizes.connections === 0 && sizes.rooms === 0 && sizes.logSubscribers === 0;
		const growth = result.heapLastMinute / result.heapFirstMinute;
		console.log(`maps empty after everyone left: ${empty ? 'yes' : 'NO'}; heap last/first minute: ${growth.toFixed(2)}×`);
		process.exitCode = empty ? 0 : 1;
		return;
	}

	const started = performance.now();
	const raw: Record<string, Record<string, Figures[]>> = { chat: {}, churn: {}, scale5k: {}, scale10k: {} };
	for (let rep = 1; rep <= reps; rep++) {
		for (const arm of ARMS) {
			console.log(`rep ${rep}/${reps}: chat, ${arm.name}`);
			(raw.chat[arm.name] ??= []).push(await chat(arm, settings));
			console.log(`rep ${rep}/${reps}: churn, ${arm.name}`);
			(raw.churn[arm.name] ??= []).push(await churn(arm, settings));
		}
		for (const arm of SCALE_ARMS) {
			for (const [key, n] of [['scale5k', 5000], ['scale10k', 10_000]] as const) {
				console.log(`rep ${rep}/${reps}: scale ${n}, ${arm.name}`);
				(raw[key][arm.name] ??= []).push(await scale(arm, n, settings));
			}
		}
	}

	const med = Object.fromEntries(
		Object.entries(raw).map(([w, arms]) => [w, Object.fromEntries(Object.entries(arms).map(([a, runs]) => [a, medians(runs)]))])
	) as Record<string, Record<string, Figures>>;

	const lines: string[] = [];
	const bareChat = med.chat.bare;
	const bareChurn = med.churn.bare;
	lines.push('| arm | chat msgs/s | ratio | chat CPU ms / 1k msgs | ratio | churn CPU µs / op | ratio | dashboard B/s during chat |');
	lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
	for (const arm of ARMS) {
		const c = med.chat[arm.name];
		const ch = med.churn[arm.name];
		lines.push(
			`| ${arm.name} | ${fmt(c.deliveredPerSecond)} | ${ratio(c.deliveredPerSecond, bareChat.deliveredPerSecond)} | ${fmt(c.cpuMsPer1000, 1)} | ${ratio(c.cpuMsPer1000, bareChat.cpuMsPer1000)} | ${fmt(ch.cpuMicrosPerOp, 1)} | ${ratio(ch.cpuMicrosPerOp, bareChurn.cpuMicrosPerOp)} | ${fmt(c.dashboardBytesPerSecond)} |`
		);
	}
	lines.push('');
	lines.push('| arm | sockets | first full view | first view time | dashboard B/s (light churn) | msgs/s | heap per socket vs bare |');
	lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
	for (const [key, n] of [['scale5k', 5000], ['scale10k', 10_000]] as const) {
		const bareHeap = med[key].bare.heapBytes!;
		for (const arm of SCALE_ARMS.slice(1)) {
			const f = med[key][arm.name];
			lines.push(
				`| ${arm.name} | ${fmt(n)} | ${fmt((f.firstViewBytes ?? 0) / 1024, 1)} KB | ${fmt(f.firstViewMs)} ms | ${fmt(f.dashboardBytesPerSecond)} | ${fmt(f.dashboardMessagesPerSecond, 1)} | ${fmt(((f.heapBytes ?? 0) - bareHeap) / n)} B |`
			);
		}
	}
	const table = lines.join('\n');
	console.log(`\n${table}\n`);
	const minutes = (performance.now() - started) / 60_000;
	console.log(`${reps} repetition(s), medians; ${minutes.toFixed(1)} minutes`);
	writeFileSync(
		'bench-results/latest.json',
		JSON.stringify({ machine, date: new Date().toISOString(), reps, settings, medians: med, raw, table }, null, 2)
	);
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
