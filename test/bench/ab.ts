/**
 * In-process A/B: one server process under steady load, measured in alternating windows with and
 * without something — the agent itself (`agent`: instrument() and close() in the running server)
 * or a connected dashboard (`dashboard`: a Sockscope dashboard process on and off), or the agent's
 * acknowledgement tracking alone (`acks`: the agent always on, with `ackTimeout: false` or not;
 * with chat, half the messages acknowledged unless `--ack-share` says otherwise). The process,
 * its heap layout and its JIT state are the same on both sides, so the difference left is the cost
 * of the thing switched, not the ±10% that separates one server process from another on a VM.
 * Windows go A B B A, so that a drift in the machine's speed cancels out.
 *
 *   npx tsx test/bench/ab.ts agent|dashboard|agent+dashboard|acks [--workload churn|chat|realistic]
 *     [--pairs 8] [--window 3000] [--rate N] [--ack-share 0.5] [--clients 5000]
 *
 * `realistic`: the realistic workload (workloads.ts `REALISTIC`) at `--clients` sockets, on a
 * server started with `BENCH_SHAPE=realistic` (recovery on, a namespace per workspace).
 */
import { parseArgs } from 'node:util';
import { sleep, startChat, startChurn, startRealistic, type SteadyLoad } from './load.js';
import { DEFAULT_SETTINGS, measureWindow, REALISTIC } from './workloads.js';
import { formatRatios, median, summariseRatios } from './ratio-stats.js';
import {
	pinLoad,
	startDashboard,
	startServer,
	type DashboardProcess,
	type ServerProcess
} from './processes.js';

const { values: args, positionals } = parseArgs({
	allowPositionals: true,
	options: {
		workload: { type: 'string', default: 'churn' },
		pairs: { type: 'string', default: '8' },
		window: { type: 'string', default: '3000' },
		/** Messages (chat) or operations (churn) a second; the bench's by default. */
		rate: { type: 'string' },
		/** Share of chat messages sent with an acknowledgement: 0.5 for `acks`, 0 otherwise. */
		'ack-share': { type: 'string' },
		/** Milliseconds between a switch and its window: 1000 for `acks`, 3500 otherwise. */
		settle: { type: 'string' },
		/** Sockets of the realistic workload. */
		clients: { type: 'string', default: '5000' }
	}
});
const what = positionals[0];
if (what !== 'agent' && what !== 'dashboard' && what !== 'agent+dashboard' && what !== 'acks')
	throw new Error(
		'usage: ab.ts agent|dashboard|agent+dashboard|acks [--workload churn|chat] [--pairs N] [--window ms] [--rate N] [--ack-share 0.5]'
	);
const pairs = Number(args.pairs);
const windowMs = Number(args.window);
// Switching ack tracking re-instruments a running chat: its hot paths are hot again within a
// second, and a shorter switch leaves time for more pairs, which is what narrows the interval.
/** How far apart the two windows' rates of a pair may be for the pair to count. */
const RATE_TOLERANCE = 0.05;
const settleMs = Number(args.settle ?? (what === 'acks' ? 1000 : 3500));

/** CPU per operation (churn) or per delivered message (chat) over one window. */
async function measure(server: ServerProcess, load: SteadyLoad) {
	const w = await measureWindow(server, load, windowMs);
	// A window without work says nothing (the load's clients were lost): stop rather than print Infinity.
	if (w.count === 0) throw new Error('the load did nothing during a window');
	return {
		perOp: w.micros / w.count,
		perSecond: w.count / w.seconds,
		userPerOp: w.user / w.count,
		mainPerOp: w.mainThread / w.count,
		otherPerOp: w.otherThreads / w.count
	};
}

async function main() {
	pinLoad();
	const realistic = args.workload === 'realistic';
	const server = await startServer(
		what === 'dashboard' ? 'sockscope' : 'bare',
		undefined,
		realistic ? 'realistic' : undefined
	);
	const load = realistic
		? await startRealistic(server.port, {
				...REALISTIC,
				clients: Number(args.clients),
				rate: Number(args.rate ?? REALISTIC.rate)
			})
		: args.workload === 'chat'
			? await startChat(server.port, {
					clients: DEFAULT_SETTINGS.chatClients,
					roomSize: DEFAULT_SETTINGS.roomSize,
					rate: Number(args.rate ?? DEFAULT_SETTINGS.chatRate),
					ackShare: Number(args['ack-share'] ?? (what === 'acks' ? 0.5 : 0))
				})
			: await startChurn(server.port, Number(args.rate ?? DEFAULT_SETTINGS.churnRate));
	let dashboard: DashboardProcess | undefined;
	const set = async (on: boolean) => {
		if (what === 'acks') {
			await server.uninstrument();
			await server.instrument({ acks: on });
			await sleep(settleMs);
			return;
		}
		const agent = what !== 'dashboard';
		const withDashboard = what !== 'agent';
		if (on) {
			if (agent) await server.instrument();
			if (withDashboard) await (dashboard = startDashboard('sockscope', server.port)).firstView;
		} else {
			if (withDashboard) await dashboard?.stop();
			if (agent) await server.uninstrument();
		}
		// Long enough for churn to replace the whole population of 300 at 100 a second.
		await sleep(settleMs);
	};
	const ratios: number[] = [];
	const userRatios: number[] = [];
	let left = 0;
	try {
		await sleep(2000);
		for (let p = 0; p < pairs; p++) {
			// A B B A across consecutive pairs: off-on, then on-off.
			const order = p % 2 ? [true, false] : [false, true];
			const result: Record<string, Awaited<ReturnType<typeof measure>>> = {};
			for (const on of order) {
				await set(on);
				result[String(on)] = await measure(server, load);
			}
			const r = result.true.perOp / result.false.perOp;
			const u = result.true.userPerOp / result.false.userPerOp;
			// CPU per message depends on the rate (a busier server writes more per syscall): a pair
			// whose windows ran at different rates, because the shared machine starved the load,
			// compares two workloads, not the agent's two settings. It is shown, not counted.
			const disturbed =
				Math.abs(result.true.perSecond / result.false.perSecond - 1) > RATE_TOLERANCE;
			if (disturbed) left++;
			else {
				ratios.push(r);
				userRatios.push(u);
			}
			console.log(
				`pair ${p + 1}: off ${result.false.perOp.toFixed(1)} µs/op (main ${result.false.mainPerOp.toFixed(0)}, other threads ${result.false.otherPerOp.toFixed(0)}), on ${result.true.perOp.toFixed(1)} µs/op (main ${result.true.mainPerOp.toFixed(0)}, other threads ${result.true.otherPerOp.toFixed(0)}), ratio ${r.toFixed(3)} (user ${u.toFixed(3)}); ${Math.round(result.false.perSecond)} and ${Math.round(result.true.perSecond)} ops/s${disturbed ? ', rates apart: left out' : ''}`
			);
		}
	} finally {
		load.stop();
		await dashboard?.stop();
		await server.stop();
	}
	if (ratios.length === 0) throw new Error('every pair was disturbed');
	console.log(
		`${what} on/off, ${args.workload}, ${ratios.length} pairs of ${windowMs} ms (${left} of ${pairs} left out, their rates more than ${RATE_TOLERANCE * 100}% apart), CPU (user+system) per ${args.workload === 'churn' ? 'operation' : 'delivered message'}: ${formatRatios(summariseRatios(ratios))}; user alone ${median(userRatios).toFixed(3)}`
	);
	process.exit(0);
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
