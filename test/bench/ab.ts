/**
 * In-process A/B: one server process under steady load, measured in alternating windows with and
 * without something — the agent itself (`agent`: instrument() and close() in the running server)
 * or a connected dashboard (`dashboard`: a Sockscope dashboard process on and off). The process,
 * its heap layout and its JIT state are the same on both sides, so the difference left is the cost
 * of the thing switched, not the ±10% that separates one server process from another on a VM.
 * Windows go A B B A, so that a drift in the machine's speed cancels out.
 *
 *   npx tsx test/bench/ab.ts agent|dashboard [--workload churn|chat] [--pairs 8] [--window 3000]
 */
import { parseArgs } from 'node:util';
import { atRate, closeAll, connectMany, connectOne, sleep } from './load.js';
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
		rate: { type: 'string', default: '400' }
	}
});
const what = positionals[0];
if (what !== 'agent' && what !== 'dashboard' && what !== 'agent+dashboard')
	throw new Error(
		'usage: ab.ts agent|dashboard|agent+dashboard [--workload churn|chat] [--pairs N] [--window ms]'
	);
const pairs = Number(args.pairs);
const windowMs = Number(args.window);

interface Load {
	/** Operations (churn) or delivered messages (chat) so far. */
	count(): number;
	stop(): void;
}

async function churnLoad(port: number): Promise<Load> {
	const population = await connectMany(port, 300);
	let ops = 0;
	let i = 0;
	const stop = atRate(Number(args.rate) / 4, () => {
		const k = i++;
		population.shift()?.disconnect();
		ops++;
		connectOne(port, k).then(
			(socket) => {
				socket.emit('join', `room-${k % 50}`);
				socket.emit('leave', `room-${k % 50}`);
				ops += 3;
				population.push(socket);
			},
			() => {}
		);
	});
	return { count: () => ops, stop: () => (stop(), closeAll(population)) };
}

async function chatLoad(port: number): Promise<Load> {
	let delivered = 0;
	const sockets = await connectMany(port, 1000, (socket) => socket.on('msg', () => delivered++));
	sockets.forEach((socket, i) => socket.emit('join', `room-${Math.floor(i / 10)}`));
	let next = 0;
	const stop = atRate(7000, () => {
		const i = next++ % sockets.length;
		sockets[i].emit(
			'msg',
			`room-${Math.floor(i / 10)}`,
			'hello, this is a chat message of typical size'
		);
	});
	return { count: () => delivered, stop: () => (stop(), closeAll(sockets)) };
}

async function measure(server: ServerProcess, load: Load) {
	const cpu0 = await server.cpu();
	const n0 = load.count();
	await sleep(windowMs);
	const cpu1 = await server.cpu();
	const n = load.count() - n0;
	return {
		perOp: (cpu1.micros - cpu0.micros) / n,
		userPerOp: (cpu1.user - cpu0.user) / n,
		mainPerOp: ((cpu1.mainThread ?? 0) - (cpu0.mainThread ?? 0)) / n,
		otherPerOp: ((cpu1.otherThreads ?? 0) - (cpu0.otherThreads ?? 0)) / n
	};
}

async function main() {
	pinLoad();
	const server = await startServer(what === 'dashboard' ? 'sockscope' : 'bare');
	const load =
		args.workload === 'chat' ? await chatLoad(server.port) : await churnLoad(server.port);
	let dashboard: DashboardProcess | undefined;
	const set = async (on: boolean) => {
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
		await sleep(3500);
	};
	const ratios: number[] = [];
	const userRatios: number[] = [];
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
			ratios.push(r);
			userRatios.push(u);
			console.log(
				`pair ${p + 1}: off ${result.false.perOp.toFixed(1)} µs/op (main ${result.false.mainPerOp.toFixed(0)}, other threads ${result.false.otherPerOp.toFixed(0)}), on ${result.true.perOp.toFixed(1)} µs/op (main ${result.true.mainPerOp.toFixed(0)}, other threads ${result.true.otherPerOp.toFixed(0)}), ratio ${r.toFixed(3)} (user ${u.toFixed(3)})`
			);
		}
	} finally {
		load.stop();
		await dashboard?.stop();
		await server.stop();
	}
	const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
	const med = (xs: number[]) => {
		const s = sorted(xs);
		return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
	};
	// The geometric mean of the ratios with a 95% interval (±2 standard errors of the mean log ratio).
	const logs = ratios.map(Math.log);
	const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
	const sd = Math.sqrt(
		logs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, logs.length - 1)
	);
	const se = sd / Math.sqrt(logs.length);
	console.log(
		`${what} on/off, ${args.workload}, ${pairs} pairs of ${windowMs} ms: median ratio ${med(ratios).toFixed(3)} (range ${sorted(ratios)[0].toFixed(3)}–${sorted(ratios).at(-1)!.toFixed(3)}), user ${med(userRatios).toFixed(3)}; geometric mean ${Math.exp(mean).toFixed(3)} (95% ${Math.exp(mean - 2 * se).toFixed(3)}–${Math.exp(mean + 2 * se).toFixed(3)})`
	);
	process.exit(0);
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
