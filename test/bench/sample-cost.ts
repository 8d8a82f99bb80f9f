/**
 * What the agent's once-a-second work costs at many namespaces, alone, in one process: the
 * ranking of event names and rooms (`refresh`), the sample, the history row and a full view of
 * it, as the sampling tick runs them (parts.ts), over `namespaces` namespaces of a real
 * socket.io server, each with sockets' worth of traffic counted between ticks, in rooms of 10.
 * Prints the median CPU time of a tick, what it allocates and the longest piece of it run at once
 * (the host's loop waits that long), so that a change to the sampler is measured without the ±10%
 * between server processes that hides it in `npm run bench`.
 *
 *   npx tsx --expose-gc test/bench/sample-cost.ts [--namespaces 1000] [--ticks 300] [--idle 0.0]
 *
 * `--idle`: the share of namespaces that had no traffic since the last tick (a multi-tenant
 * app's many quiet tenants).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Server } from 'socket.io';
import { NodeModel, NamespaceStats } from '../../server/agent/observe/model.js';
import { createHealthProbe } from '../../server/agent/observe/process-health.js';
import { Sampler, viewFor } from '../../server/agent/history/sampler.js';
import { HistoryStore } from '../../server/agent/history/history.js';
import { sideOf } from '../../server/agent/observe/collectors/acks.js';
import { DEFAULT_ACK_BUCKETS } from '../../server/agent/options.js';

const { values: args } = parseArgs({
	options: {
		namespaces: { type: 'string', default: '1000' },
		ticks: { type: 'string', default: '300' },
		idle: { type: 'string', default: '0' }
	}
});
const count = Number(args.namespaces);
const ticks = Number(args.ticks);
const idleShare = Number(args.idle);

const io = new Server();
const model = new NodeModel();
const rules = { max: 200, budget: model.nameBudget };
for (let i = 0; i < count; i++) {
	const nsp = io.of(`/ws-${i}`);
	const stats = new NamespaceStats(nsp, rules);
	model.namespaces.set(nsp.name, stats);
	// Five sockets' worth in one room of the namespace, as the realistic bench has at 5,000.
	nsp.adapter.addAll(`sid-${i}`, new Set(['room-0']));
	stats.publicRooms.add('room-0');
	stats.transports.websocket = 5;
}
const sampler = new Sampler(model, createHealthProbe(), 'bench', { count: 0 });
const history = new HistoryStore('bench', 1000);
const admin = { name: 'admin', role: 'admin' } as const;
const ackBounds = new Float64Array(DEFAULT_ACK_BUCKETS);

/**
 * A second of traffic: two messages in each busy namespace, broadcast to its room, one of them
 * acknowledged by the server and one acknowledgement asked of a client (the realistic bench's
 * acknowledgements on half the messages, both ways).
 */
function traffic(tick: number): void {
	let i = 0;
	for (const stats of model.namespaces.values()) {
		if (i++ < count * idleShare) continue;
		const msg = stats.event('msg');
		msg.in += 2;
		stats.eventsIn += 2;
		stats.bytesIn += 120;
		stats.eventsOut += 8;
		stats.bytesOut += 480;
		msg.out += 8;
		stats.broadcasts += 2;
		stats.broadcastRecipients += 8;
		stats.roomTraffic.get('room-0').broadcasts += 2;
		sideOf(msg, 'in', ackBounds).observe(1 + (tick % 7));
		sideOf(msg, 'out', ackBounds).observe(20 + (tick % 11));
		if (tick % 200 === 0) stats.countDisconnect('transport close');
	}
}

/** The longest the loop was held in one piece by the last tick, in ms. */
let longestPart = 0;

/** One tick as parts.ts runs it: the namespaces sampled a few hundred a turn (`take`). */
async function tick(): Promise<void> {
	let from = performance.now();
	longestPart = 0;
	const part = () => {
		longestPart = Math.max(longestPart, performance.now() - from);
	};
	for (const stats of model.namespaces.values()) {
		stats.names.rank();
		stats.roomTraffic.rank();
	}
	const sample = await sampler.take(async () => {
		part();
		await new Promise((resolve) => setImmediate(resolve));
		from = performance.now();
	});
	history.add(sample);
	viewFor(sample, admin);
	part();
}

const cpu: number[] = [];
const allocated: number[] = [];
const parts: number[] = [];
for (let t = 0; t < ticks; t++) {
	traffic(t);
	const heap0 = process.memoryUsage().heapUsed;
	const c0 = process.cpuUsage();
	await tick();
	const c1 = process.cpuUsage(c0);
	const heap1 = process.memoryUsage().heapUsed;
	// The first ticks warm the JIT up; a tick with a GC in it reads a negative allocation.
	if (t >= 20) {
		cpu.push(c1.user + c1.system);
		parts.push(longestPart);
		if (heap1 > heap0) allocated.push(heap1 - heap0);
	}
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
console.log(
	`${count} namespaces (${Math.round(idleShare * 100)}% idle): a tick takes ${median(cpu).toFixed(0)} µs CPU (median of ${cpu.length}), allocates ${(median(allocated) / 1024).toFixed(0)} KB; the longest it holds the loop at once: ${median(parts).toFixed(1)} ms (median), ${Math.max(...parts).toFixed(1)} ms (most)`
);
process.exit(0);
