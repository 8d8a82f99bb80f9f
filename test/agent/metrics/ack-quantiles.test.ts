/**
 * What `histogram_quantile` makes of the acknowledgement latency histogram: acks of about 55 ms
 * (a handler answering after 55 ms), read back from the exposition, must give p50 and p90 within
 * 10% of the latencies the handlers took — computed here as Prometheus computes it, and asked of a
 * real Prometheus scraping the server. With the old fixed buckets (…, 0.05, 0.1, …) they read 73
 * and 95 ms. `metrics.buckets` replaces the bounds.
 *
 * Two facts make that one, each checked whatever the machine's load: the agent counts each ack in
 * the bucket of the time its handler took (the quantiles read from its exposition are those of the
 * handlers' own times put in the same buckets), and the default bounds resolve acks of 55 ms
 * within 10% (computed over the bounds the agent serves). On a quiet machine the handlers take
 * 55 ms and a few µs, and the first check alone says it; beside a second test suite the process
 * was descheduled in the middle of handlers, which then took from 55 to 348 ms, where a straight
 * line across the wider buckets reads as far off as the acks are spread (p90 157 ms, read 205).
 */
import { performance } from 'node:perf_hooks';
import { afterEach, expect, test } from 'vitest';
import { startFixture, type Fixture } from '../../support/agent-fixture.js';
import { describeWithPrometheus, startPrometheus, until, type PrometheusServer } from '../../support/prometheus.js';

const ACK_MS = 55;
const CLIENTS = 6;
const ROUNDS = 8;
const ACKS = CLIENTS * ROUNDS;

let fx: Fixture | undefined;
/** The handlers' latencies of the current test, in ms. */
let timed: number[] = [];
let prometheus: PrometheusServer | undefined;

afterEach(async () => {
	await prometheus?.close();
	await fx?.close();
	fx = prometheus = undefined;
});

/**
 * A server whose `slow` handler answers after `ACK_MS`, with metrics at /metrics. `timed` gets each
 * ack's time as the agent takes it, in ms: from the engine's reading of the event's packet (the
 * connection's `packet` event) to the engine's flush of the ack (the server's `flush` event), each
 * heard by a listener beside the agent's. The ack waits there when the connection's last write is
 * not done yet, which a busy machine makes longer. The handler holds the loop for its 55 ms rather
 * than setting a timer, so that on a quiet machine every ack takes 55 ms and a few µs.
 */
async function slowServer(
	timed: number[],
	buckets?: { ackLatency?: number[] }
): Promise<Fixture> {
	const fixture = await startFixture({ metrics: { path: '/metrics', ...(buckets ? { buckets } : {}) } });
	const readAt = new WeakMap<object, number>();
	fixture.io.engine.on('flush', (conn: object, packets: { type: string; data?: unknown }[]) => {
		const read = readAt.get(conn);
		if (read === undefined) return;
		for (const packet of packets) {
			// An acknowledgement of the default parser: `3` and its id.
			if (packet.type === 'message' && typeof packet.data === 'string' && packet.data[0] === '3') {
				timed.push(performance.now() - read);
				readAt.delete(conn);
			}
		}
	});
	fixture.io.on('connection', (socket) => {
		socket.conn.on('packet', () => readAt.set(socket.conn, performance.now()));
		socket.on('slow', (done: (answer: string) => void) => {
			const start = performance.now();
			while (performance.now() - start < ACK_MS);
			done('ok');
		});
	});
	return fixture;
}

/** `ACKS` acks of `slow`, `CLIENTS` at a time; `timed`, sorted, once all are answered. */
async function slowAcks(fixture: Fixture, timed: number[]): Promise<number[]> {
	const clients = await Promise.all(Array.from({ length: CLIENTS }, () => fixture.client('/')));
	for (let round = 0; round < ROUNDS; round++) {
		await Promise.all(clients.map((client) => client.timeout(5000).emitWithAck('slow')));
	}
	return timed.sort((a, b) => a - b);
}

/** The q-quantile of sorted values, by the nearest rank. */
function exact(sorted: number[], q: number): number {
	return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

/** The `slow` event's cumulative buckets, `le` → count, in the exposition's order. */
function bucketsOf(exposition: string): [number, number][] {
	const found: [number, number][] = [];
	const line =
		/^socketio_ack_latency_seconds_bucket\{(?=[^}]*event="slow")(?=[^}]*direction="in")[^}]*le="([^"]+)"[^}]*\} (\S+)$/gm;
	for (const [, le, value] of exposition.matchAll(line)) found.push([le === '+Inf' ? Infinity : Number(le), Number(value)]);
	return found.sort((a, b) => a[0] - b[0]);
}

/** The cumulative buckets `values` (ms) fill over the bounds of `like`, as the agent counts them. */
function bucketsOfTimes(values: number[], like: [number, number][], shiftMs = 0): [number, number][] {
	return like.map(([le]) => [le, values.filter((ms) => ms + shiftMs <= le * 1000).length]);
}

/**
 * Each ack in the bucket of its time as taken here: the agent's and this test's clocks start and
 * stop µs apart (listeners of the same events), so an ack within 0.5 ms of a bound may fall on
 * either side of it. A machine that deschedules the process between two listeners stops them
 * further apart: two acks may be counted outside their bucket so.
 */
function expectCountedAsTimed(buckets: [number, number][], times: number[]): void {
	const counts = buckets.map(([, count]) => count);
	const fewest = bucketsOfTimes(times, buckets, 0.5).map(([, count]) => count);
	const most = bucketsOfTimes(times, buckets, -0.5).map(([, count]) => count);
	for (let i = 0; i < counts.length; i++) {
		const what = `acks ≤ ${buckets[i][0]} s of ${times.map((t) => t.toFixed(3)).join(', ')} ms`;
		expect(counts[i], what).toBeGreaterThanOrEqual(fewest[i] - DESCHEDULED);
		expect(counts[i], what).toBeLessThanOrEqual(most[i] + DESCHEDULED);
	}
}

/** Acks a descheduled process may count outside their bucket (see `expectCountedAsTimed`). */
const DESCHEDULED = 2;

/** Acks as a quiet machine times a handler of 55 ms: 55 ms and up to 1.5 ms more. */
const QUIET_ACKS = Array.from({ length: ACKS }, (_, i) => ACK_MS + (1.5 * i) / ACKS);

/**
 * Prometheus' `histogram_quantile`: the bucket where the rank falls, and a straight line from its
 * lower bound (0 for the first) to its upper; the highest finite bound if it falls in +Inf.
 */
function histogramQuantile(q: number, buckets: [number, number][]): number {
	const total = buckets[buckets.length - 1][1];
	const rank = q * total;
	let i = buckets.findIndex(([, count]) => count >= rank);
	if (buckets[i][0] === Infinity) return buckets[buckets.length - 2][0];
	const start = i === 0 ? 0 : buckets[i - 1][0];
	const below = i === 0 ? 0 : buckets[i - 1][1];
	const [end, count] = buckets[i];
	return start + (end - start) * ((rank - below) / (count - below));
}

async function scrape(fixture: Fixture): Promise<string> {
	const res = await fetch(`${fixture.url}/metrics`);
	expect(res.status).toBe(200);
	return res.text();
}

function expectNear(actualSeconds: number, expectedMs: number, what: string) {
	const off = Math.abs(actualSeconds * 1000 - expectedMs) / expectedMs;
	expect(off, `${what}: ${actualSeconds * 1000} ms read, ${expectedMs} ms timed`).toBeLessThanOrEqual(0.1);
}

test('acks of 55 ms read back within 10% at p50 and p90 with the default buckets', async () => {
	fx = await slowServer((timed = []));
	await slowAcks(fx, timed);
	// The ack packet is counted when socket.io writes it, before the client's timer stops: wait for
	// every one on the server's side rather than for any fixed time.
	const exposition = await until(
		'every ack counted',
		async () => {
			const text = await scrape(fx!);
			return bucketsOf(text).at(-1)?.[1] === ACKS ? text : undefined;
		},
		5000
	);
	const buckets = bucketsOf(exposition);
	expect(exact(timed, 0.5)).toBeGreaterThanOrEqual(ACK_MS - 1);
	expectCountedAsTimed(buckets, timed);
	// And those bounds read acks of 55 ms within 10%.
	const quiet = bucketsOfTimes(QUIET_ACKS, buckets);
	expectNear(histogramQuantile(0.5, quiet), exact(QUIET_ACKS, 0.5), 'p50 of acks of 55 ms');
	expectNear(histogramQuantile(0.9, quiet), exact(QUIET_ACKS, 0.9), 'p90 of acks of 55 ms');
});

test('metrics.buckets.ackLatency sets the bounds, and the old ones misread 55 ms acks', async () => {
	const old = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
	fx = await slowServer((timed = []), { ackLatency: old });
	await slowAcks(fx, timed);
	const buckets = await until(
		'every ack counted',
		async () => {
			const found = bucketsOf(await scrape(fx!));
			return found.at(-1)?.[1] === ACKS ? found : undefined;
		},
		5000
	);
	expect(buckets.map(([le]) => le)).toEqual([...old, Infinity]);
	expectCountedAsTimed(buckets, timed);
	// A straight line across 50–100 ms puts the median of 55 ms acks well above them.
	const quiet = bucketsOfTimes(QUIET_ACKS, buckets);
	expect(histogramQuantile(0.5, quiet) * 1000).toBeGreaterThan(exact(QUIET_ACKS, 0.5) * 1.2);
});

describeWithPrometheus('a real Prometheus', () => {
	test("histogram_quantile over the scraped buckets reads p50 and p90 as this test's reading does", async () => {
		fx = await slowServer((timed = []));
		await slowAcks(fx, timed);
		prometheus = await startPrometheus({
			job: 'acks',
			targets: [new URL(fx.url).host],
			interval: 1
		});
		const selector = '{job="acks",event="slow",direction="in"}';
		// A scrape taken after the last ack was counted: its count is every ack.
		await until(
			'a scrape with every ack',
			async () => {
				const [count] = await prometheus!.query(`socketio_ack_latency_seconds_count${selector}`);
				return count && Number(count.value[1]) === ACKS ? true : undefined;
			},
			30_000
		);
		const quantile = async (q: number) => {
			const [series] = await prometheus!.query(
				`histogram_quantile(${q}, sum by (le) (socketio_ack_latency_seconds_bucket${selector}))`
			);
			return Number(series.value[1]);
		};
		// The same buckets as the exposition's (no ack came since), read the same way: so the 10%
		// that the first test finds over the default bounds is what Prometheus users read too.
		const buckets = bucketsOf(await scrape(fx));
		expectCountedAsTimed(buckets, timed);
		for (const q of [0.5, 0.9]) {
			const ours = histogramQuantile(q, buckets);
			expect(Math.abs((await quantile(q)) - ours) / ours, `p${q * 100}`).toBeLessThan(1e-6);
		}
	}, 60_000);
});
