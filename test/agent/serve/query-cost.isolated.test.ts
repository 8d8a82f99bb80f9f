/**
 * Every query costs the host little whatever its arguments (issue #26): at 10,000 sockets, one
 * user's dashboards (as many as a user may open) send each query with the heaviest arguments its
 * schema allows, faster than the limits let through, so that the limits alone decide how many are
 * answered. The host's longest event-loop block, measured inside the host's process, stays short,
 * and its chat clients' round-trip p99 stays within a ratio of the one measured before, in this
 * same run: at the start, or right before the case if that was higher (a run beside a second suite
 * measured 7.8 ms at the start and 48 ms in a case whose loop blocks were all under 8 ms).
 *
 * A block is counted in the CPU time the loop's own thread used while the loop was held (at most
 * the wall time it was held): on a machine whose cores other processes share, the host may be
 * descheduled for 100 ms with an empty loop (seen here with nothing but 10,000 idle sockets), which
 * is the machine's doing, not the agent's. The thread's own time, not the process's: the garbage
 * collector's helper threads run beside the loop on the other core, and while the loop's thread
 * waited for a core their time once counted as a 21 ms block (CI, 2026-12-06). The wall-clock
 * figure (`monitorEventLoopDelay`) is printed beside it.
 *
 * The limit holds for every block but the two longest. Each case's query is answered the same way
 * at least 17 times (the limits let that many through), so a query whose answer held the loop
 * past the limit would do it that many times. What happens once in a case is the machine's or the
 * host's own: CI once measured a 34.6 ms block, with a 14.7 ms garbage collection in it and a
 * 75.8 ms wall-clock gap, in a case whose query reads an empty record (2026-12-07), and every
 * other block of that case was under 5 ms.
 */
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryName } from '../../../server/protocol/events.js';
import { MAX_PAGE_SIZE } from '../../../server/protocol/limits.js';
import { MAX_WINDOW } from '../../../server/protocol/windows.js';
import { startFixture, type Fixture } from '../../support/agent-fixture.js';
import { startCrowd, type Crowd } from '../../support/crowd.js';
import { watchLoopBlocks } from '../../support/loop-blocks.js';

const SOCKETS = 10_000;
const PROBES = 10;
/** The rooms the crowd's sockets are spread over, beside one room that holds every socket. */
const ROOMS = 5000;
/** `dashboardsPerUser`'s default: the most one user may flood from. */
const DASHBOARDS = 20;
const FLOOD_SECONDS = 4;
/** The chat measured alone right before each case's flood. */
const CONTROL_MS = 2000;
const MAX_BLOCK_MS = 20;
/** Blocks of a case allowed past the limit: one-off pauses, fewer than the answers by far. */
const ONE_OFF_BLOCKS = 2;

let fx: Fixture;
let crowd: Crowd;
let probes: ClientSocket[];
let quietP99 = 0;
let quietBlock = 0;
let quietWall = 0;

beforeAll(async () => {
	// `auth: false`: every dashboard is the one user `anonymous`, as in the red team's run.
	// The crowd's 10,000 sockets connect within seconds, so engine.io's heartbeats to all of them
	// fall due together, every 25 s by default: a burst of the host's own work, tens of ms at once,
	// that lands in whichever query's window it happens to. It is not what a query costs, and no
	// host whose clients came over hours sees it: heartbeats are set out of this test's way.
	fx = await startFixture(
		{ auth: false },
		{ pingInterval: 600_000, pingTimeout: 600_000 },
		(io) => {
			let n = 0;
			io.on('connection', (socket) => {
				socket.join(['everyone', `room-${n++ % ROOMS}`]);
				socket.on('echo', (i: number, ack: (i: number) => void) => ack(i));
			});
		}
	);
	crowd = startCrowd();
	await crowd.connect(fx.url, SOCKETS, 'loadbot/1.0');
	probes = await Promise.all(Array.from({ length: PROBES }, () => fx.client('/')));
	const quiet = await measure(() => new Promise((resolve) => setTimeout(resolve, 3000)));
	quietP99 = p99(quiet.times);
	quietBlock = quiet.longestBlock;
	quietWall = quiet.wallBlock;
	console.log(
		`before: chat p99 ${quietP99.toFixed(2)} ms (${quiet.times.length} round-trips), ` +
			`longest block ${quietBlock.toFixed(1)} ms (wall-clock ${quietWall.toFixed(1)} ms)`
	);
}, 240_000);
afterAll(async () => {
	crowd?.close();
	await fx?.close();
});

/**
 * Chat round-trips of the probes, each sending its next message as soon as the last comes back,
 * and the host's longest event-loop block, while `during` runs; waits for the round-trips in
 * flight, so that none is left to fail when the test closes.
 */
async function measure(during: () => Promise<unknown>): Promise<{
	times: number[];
	longestBlock: number;
	/** The longest blocks, longest first. */
	blocks: number[];
	wallBlock: number;
	longestGc: number;
	result: unknown;
}> {
	const times: number[] = [];
	let running = true;
	const delay = monitorEventLoopDelay({ resolution: 1 });
	delay.enable();
	// Garbage collections, reported beside the blocks: a long one holds the loop as well.
	let longestGc = 0;
	const gcs = new PerformanceObserver((list) => {
		for (const e of list.getEntries()) longestGc = Math.max(longestGc, e.duration);
	});
	gcs.observe({ entryTypes: ['gc'] });
	// Every millisecond: how long since the last tick, in the loop thread's own CPU time.
	const blocks = watchLoopBlocks();
	const loops = probes.map(async (probe, p) => {
		for (let i = 0; running; i++) {
			const start = performance.now();
			await probe.timeout(60_000).emitWithAck('echo', p * 1e6 + i);
			times.push(performance.now() - start);
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
	});
	const result = await during();
	running = false;
	await Promise.all(loops);
	const longestBlock = blocks.stop();
	const longest = blocks.longest();
	gcs.disconnect();
	delay.disable();
	// The histogram's largest delay past its 1 ms timer: the longest the loop was held, wall-clock.
	return { times, longestBlock, blocks: longest, wallBlock: delay.max / 1e6, longestGc, result };
}

function p99(times: number[]): number {
	const sorted = [...times].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length * 0.99)];
}

/** Matched by every crowd socket's user agent, read after its id and address. */
const anyText = 'loadbot';

/**
 * Each query with the arguments that cost it most: a text filter that every socket matches only
 * by its user agent (the last field read), a sort by a string, the largest page, window, offset
 * and history range. Typed by the protocol's list of queries, so that a query added without a
 * case here does not compile.
 */
const HEAVIEST = {
	'sockets:seek': { query: { text: anyText, sort: 'address', order: 'desc' }, offset: 10_000_000 },
	'sockets:query': { text: anyText, sort: 'address', order: 'desc', limit: MAX_PAGE_SIZE },
	'room:members': { namespace: '/', room: 'everyone', limit: MAX_PAGE_SIZE },
	'rooms:query': { text: 'room', sort: 'name', order: 'desc', limit: MAX_PAGE_SIZE },
	// A new window each time (the crowd numbers `watch`), so each one chooses its rows again.
	'sockets:watch': {
		watch: 0,
		query: { text: anyText, sort: 'address', order: 'desc' },
		limit: MAX_WINDOW
	},
	'sockets:unwatch': {},
	'socket:details': { namespace: '/', id: 'no-such-socket' },
	'namespaces:query': {},
	'history:query': { range: '6h' },
	'room:history': { namespace: '/', room: 'everyone', range: '6h' },
	'state:resync': {},
	'log:subscribe': {},
	'log:unsubscribe': {},
	'audit:query': { limit: MAX_PAGE_SIZE },
	'disconnects:query': { text: anyText, limit: MAX_PAGE_SIZE },
	'disconnects:patterns': { userAgent: anyText }
} satisfies Record<QueryName, unknown>;

describe(`queries under their heaviest arguments at ${SOCKETS} sockets`, () => {
	it.each([
		// The red team's own: a seek with no filter, as far as the schema allows.
		['sockets:seek', { query: {}, offset: 10_000_000 }],
		...Object.entries(HEAVIEST)
	])(
		`%s from ${DASHBOARDS} dashboards as fast as the limits allow keeps the host's blocks ≤ ${MAX_BLOCK_MS} ms, but ${ONE_OFF_BLOCKS} one-off ones`,
		async (event, heaviest) => {
			// A socket that exists, so its details are read in full.
			const payload = event === 'socket:details' ? { namespace: '/', id: probes[0].id } : heaviest;
			// The chat just before, without queries: what the machine allows the round-trips now.
			// Beside a second suite (a browser test, say) the machine's own load moves the p99 from
			// one case to the next; on a quiet machine this is the first quiet measure again.
			const control = p99((await measure(() => new Promise((r) => setTimeout(r, CONTROL_MS)))).times);
			const baseP99 = Math.max(quietP99, control);
			const during = await measure(() =>
				crowd.flood({
					url: `${fx.url}/sockscope`,
					auth: {},
					event,
					payload,
					// Far above what the limits let through: the limits decide the rate.
					perSecond: 500,
					seconds: FLOOD_SECONDS,
					dashboards: DASHBOARDS
				})
			);
			const flood = during.result as Awaited<ReturnType<Crowd['flood']>>;
			console.log(
				`${event} ${JSON.stringify(payload)}: longest blocks ${during.blocks.map((b) => b.toFixed(1)).join(', ')} ms ` +
					`(before ${quietBlock.toFixed(1)}; wall-clock ${during.wallBlock.toFixed(1)}, ` +
					`before ${quietWall.toFixed(1)}; longest GC ${during.longestGc.toFixed(1)}), chat p99 ${p99(during.times).toFixed(2)} ms ` +
					`(before ${quietP99.toFixed(2)}, just before ${control.toFixed(2)}); ${flood.sent} sent, answers ${JSON.stringify(flood.answered)}`
			);
			expect(await crowd.disconnected()).toBe(0);
			expect(probes.every((p) => p.connected)).toBe(true);
			// Answered, not all refused: the limits let the most they allow through.
			expect(flood.answered.ok ?? 0).toBeGreaterThan(0);
			expect(flood.answered.E_RATE_LIMITED).toBeGreaterThan(flood.sent / 2);
			// More answers than one-off blocks, so that an answer past the limit cannot hide among them.
			expect(flood.answered.ok).toBeGreaterThan(2 * ONE_OFF_BLOCKS);
			expect(during.blocks[ONE_OFF_BLOCKS] ?? 0).toBeLessThanOrEqual(MAX_BLOCK_MS);
			expect(p99(during.times)).toBeLessThanOrEqual(3 * baseP99 + 20);
		},
		120_000
	);
});
