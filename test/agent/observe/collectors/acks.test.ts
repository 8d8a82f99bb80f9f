/**
 * Acknowledgement latency and timeouts, per event name and direction, read at the wire: a slow
 * server handler, a slow client, and acks that never come, seen in the samples, in a socket's
 * details and in /metrics; with socket.io's default parser and with the msgpack parser, whose
 * binary packets are read otherwise.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import type { AckFigures, Sample, SocketDetails } from '../../../../server/protocol/models.js';
import { ask, startFixture, type Fixture } from '../../../support/agent-fixture.js';
import { PARSERS } from '../../../support/hosts.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every ack figure a dashboard receives, by `namespace event direction`. */
function collectAcks(dashboard: ClientSocket) {
	const seen = new Map<string, AckFigures[]>();
	dashboard.on('stats:sample', (s: Sample) => {
		for (const ns of s.namespaces) {
			for (const a of ns.acks ?? []) {
				const key = `${ns.name} ${a.name} ${a.direction}`;
				seen.set(key, [...(seen.get(key) ?? []), a]);
			}
		}
	});
	const sum = (key: string, field: 'count' | 'timeouts') =>
		(seen.get(key) ?? []).reduce((n, a) => n + (a[field] ?? 0), 0);
	return { seen, sum };
}

describe.each(PARSERS)('acknowledgement tracking with $name', ({ host }) => {
	let f: Fixture;
	let acks: ReturnType<typeof collectAcks>;
	let client: ClientSocket;
	let serverSocketId: string;

	beforeAll(async () => {
		f = await startFixture(
			{ metrics: { path: '/metrics' }, ackTimeout: 400 },
			{},
			(io) => {
				io.on('connection', (socket) => {
					socket.on('slow', (ack: (v: string) => void) => setTimeout(() => ack('done'), 200));
					socket.on('ignored', (_ack: () => void) => {});
					socket.on('quick', (_n: number, ack: () => void) => ack());
				});
			},
			host
		);
		const { socket: dashboard } = await f.dashboard();
		acks = collectAcks(dashboard);
		client = await f.client('/');
		client.on('wait', (ack: (v: string) => void) => setTimeout(() => ack('ok'), 200));
		client.on('nudge', (ack: () => void) => ack());
		serverSocketId = [...f.io.of('/').sockets.keys()][0];
	});

	afterAll(() => f.close());

	test('a handler that answers after 200 ms shows a p50 of about 200 ms for its event, in', async () => {
		await Promise.all([1, 2, 3].map(() => client.timeout(5000).emitWithAck('slow')));
		await expect.poll(() => acks.sum('/ slow in', 'count'), { timeout: 5000 }).toBe(3);
		const p50s = acks.seen.get('/ slow in')!.map((a) => a.p50);
		for (const p50 of p50s) {
			expect(p50).toBeGreaterThanOrEqual(150);
			expect(p50).toBeLessThan(1000);
		}
	});

	test('a server emitWithAck to a slow client shows its round trip, out', async () => {
		const socket = f.io.of('/').sockets.get(serverSocketId)!;
		await socket.timeout(5000).emitWithAck('wait');
		await expect.poll(() => acks.sum('/ wait out', 'count'), { timeout: 5000 }).toBe(1);
		const [figures] = acks.seen.get('/ wait out')!;
		expect(figures.p50).toBeGreaterThanOrEqual(150);
		expect(figures.p50).toBeLessThan(1000);
		// None timed out: left out of the sample.
		expect(figures.timeouts).toBeUndefined();
	});

	test('acks that never come count as timeouts after the configured time, both ways', async () => {
		client.emit('ignored', () => {});
		// The client has no handler for `unheard`, so it never acknowledges.
		f.io
			.of('/')
			.sockets.get(serverSocketId)!
			.emit('unheard', () => {});
		await expect.poll(() => acks.sum('/ ignored in', 'timeouts'), { timeout: 5000 }).toBe(1);
		await expect.poll(() => acks.sum('/ unheard out', 'timeouts'), { timeout: 5000 }).toBe(1);
		expect(acks.sum('/ ignored in', 'count')).toBe(0);
	});

	test('an event sent without an ack is not timed', async () => {
		client.emit('slow-no-ack');
		await sleep(700);
		expect(acks.seen.has('/ slow-no-ack in')).toBe(false);
	});

	test("a socket's details count its acks by direction", async () => {
		const { socket: dashboard } = await f.dashboard();
		const details = await ask<SocketDetails>(dashboard, 'socket:details', {
			namespace: '/',
			id: serverSocketId
		});
		expect(details.acks?.in.count).toBe(3);
		expect(details.acks?.in.meanMs).toBeGreaterThanOrEqual(150);
		expect(details.acks?.out.count).toBe(1);
		expect(details.acks?.in.timeouts).toBe(1);
		expect(details.acks?.out.timeouts).toBe(1);
	});

	test('/metrics has the ack latency histogram and the timeouts', async () => {
		const text = await (await fetch(`${f.url}/metrics`)).text();
		expect(text).toContain('# TYPE socketio_ack_latency_seconds histogram');
		expect(text).toContain(
			'socketio_ack_latency_seconds_count{namespace="/",event="slow",direction="in"} 3'
		);
		expect(text).toContain(
			'socketio_ack_latency_seconds_bucket{namespace="/",event="slow",direction="in",le="0.1"} 0'
		);
		expect(text).toContain(
			'socketio_ack_latency_seconds_bucket{namespace="/",event="slow",direction="in",le="+Inf"} 3'
		);
		expect(text).toContain(
			'socketio_ack_latency_seconds_count{namespace="/",event="wait",direction="out"} 1'
		);
		expect(text).toContain(
			'socketio_ack_timeouts_total{namespace="/",event="ignored",direction="in"} 1'
		);
		expect(text).toContain(
			'socketio_ack_timeouts_total{namespace="/",event="unheard",direction="out"} 1'
		);
	});

	test('acks keep being timed past ids of one and two bytes, both ways', async () => {
		// Ids 0–127 take one byte in msgpack, 128–255 two, then three: every width is read. One at a
		// time, since a socket times at most 8 acks at once.
		const socket = f.io.of('/').sockets.get(serverSocketId)!;
		for (let i = 0; i < 300; i++) {
			await client.timeout(5000).emitWithAck('quick', i);
			await socket.timeout(5000).emitWithAck('nudge');
		}
		await expect.poll(() => acks.sum('/ quick in', 'count'), { timeout: 5000 }).toBe(300);
		await expect.poll(() => acks.sum('/ nudge out', 'count'), { timeout: 5000 }).toBe(300);
	});
});

describe('acknowledgement tracking switched off', () => {
	test('with ackTimeout: false, samples carry no ack figures', async () => {
		const f = await startFixture({ ackTimeout: false }, {}, (io) => {
			io.on('connection', (socket) => socket.on('echo', (ack: () => void) => ack()));
		});
		try {
			const { socket: dashboard } = await f.dashboard();
			const acks = collectAcks(dashboard);
			const client = await f.client('/');
			await client.timeout(5000).emitWithAck('echo');
			await sleep(600);
			expect(acks.seen.size).toBe(0);
		} finally {
			await f.close();
		}
	});
});

describe('acknowledgements of an evicted event name', () => {
	test('fold into _other with its traffic, answered, timed out or still awaited', async () => {
		const f = await startFixture(
			{ metrics: { path: '/metrics' }, maxEventNames: 2, ackTimeout: 1000 },
			{},
			(io) => {
				io.on('connection', (socket) => {
					// `true`: never answered, so it is still awaited when its name is evicted.
					socket.on('ask', (hold: boolean, ack: () => void) => hold || ack());
				});
			}
		);
		const metrics = async () => (await fetch(`${f.url}/metrics`)).text();
		try {
			const client = await f.client('/');
			await client.timeout(5000).emitWithAck('ask', false);
			await client.timeout(5000).emitWithAck('ask', false);
			client.emit('ask', true, () => {});
			await expect
				.poll(metrics, { timeout: 5000 })
				.toContain(
					'socketio_ack_latency_seconds_count{namespace="/",event="ask",direction="in"} 2'
				);
			// A busier name makes `ask` the cold one; once ranked, a new name takes its place.
			for (let i = 0; i < 20; i++) client.emit('busy');
			await sleep(600);
			client.emit('newcomer');
			await expect.poll(metrics, { timeout: 5000 }).not.toContain('event="ask"');
			await expect
				.poll(metrics, { timeout: 5000 })
				.toContain(
					'socketio_ack_latency_seconds_count{namespace="/",event="_other",direction="in"} 2'
				);
			await expect
				.poll(metrics, { timeout: 5000 })
				.toContain('socketio_ack_timeouts_total{namespace="/",event="_other",direction="in"} 1');
		} finally {
			await f.close();
		}
	});
});

describe('what the agent holds for acknowledgements', () => {
	test('sockets hold ack slots only while an ack is awaited: none once answered, none after a timeout', async () => {
		const f = await startFixture({ ackTimeout: 2000 }, {}, (io) => {
			io.on('connection', (socket) => {
				socket.on('ping', (ack: (v: string) => void) => ack('pong'));
			});
		});
		try {
			const clients = await Promise.all(Array.from({ length: 40 }, () => f.client('/')));
			for (const c of clients) c.on('probe', (ack: (v: string) => void) => ack('here'));
			// Request and response both ways, on every socket.
			await Promise.all(clients.map((c) => c.timeout(5000).emitWithAck('ping')));
			const sockets = [...f.io.of('/').sockets.values()];
			await Promise.all(sockets.map((s) => s.timeout(5000).emitWithAck('probe')));
			await expect.poll(() => f.agent.inspect().acksAwaited, { timeout: 5000 }).toBe(0);

			// Acks that never come hold slots until they time out, then give them back.
			const silent = await f.client('/');
			const server = f.io.of('/').sockets.get(silent.id!)!;
			server.timeout(60_000).emit('unanswered', () => {});
			await expect.poll(() => f.agent.inspect().acksAwaited, { timeout: 5000 }).toBe(1);
			await expect.poll(() => f.agent.inspect().acksAwaited, { timeout: 10_000 }).toBe(0);
			// The socket's own figures stay: 1 answered each way, and the timeout counted.
			const { socket: dashboard } = await f.dashboard();
			const details = (await ask(dashboard, 'socket:details', {
				namespace: '/',
				id: silent.id
			})) as SocketDetails;
			expect(details.acks?.out).toMatchObject({ count: 0, timeouts: 1 });
			const busy = (await ask(dashboard, 'socket:details', {
				namespace: '/',
				id: clients[0].id
			})) as SocketDetails;
			expect(busy.acks?.in.count).toBe(1);
			expect(busy.acks?.out.count).toBe(1);
			expect(busy.acks?.pending).toBe(0);
		} finally {
			await f.close();
		}
	});
});
