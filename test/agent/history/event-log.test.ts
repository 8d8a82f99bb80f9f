/** The live event log: filters, a per-dashboard rate cap that reports what it dropped, payloads by option. */
import { afterEach, describe, expect, test } from 'vitest';
import type { LogBatch, LogEntry, SocketDetails } from '../../../server/protocol/models.js';
import { ask, once, startFixture, type Fixture } from '../../support/agent-fixture.js';

/** The log sends its batches once a second; a loaded machine may take several to deliver one. */
const FLUSHED = { timeout: 10_000 };

let f: Fixture | undefined;
afterEach(async () => {
	await f?.close();
	f = undefined;
});

function gather(socket: import('socket.io-client').Socket) {
	const log = { entries: [] as LogEntry[], dropped: 0 };
	socket.on('log:batch', (batch: LogBatch) => {
		log.entries.push(...batch.entries);
		log.dropped += batch.dropped;
	});
	return log;
}

/** How many events the rows stand for, per `direction event socket`, counts folded in. */
function counted(entries: LogEntry[]) {
	const out: Record<string, number> = {};
	for (const e of entries) {
		const key = `${e.broadcast ? 'broadcast' : e.direction} ${e.event} ${e.socket}`;
		out[key] = (out[key] ?? 0) + (e.count ?? 1);
	}
	return out;
}

describe('event log', () => {
	test('delivers the events that match the filter, in and out, identical ones folded into counts', async () => {
		f = await startFixture({ eventLog: { payloads: true } }, {}, (io) => {
			io.on('connection', (socket) => {
				socket.join(String(socket.handshake.auth.room));
				socket.on('ping-me', (n: number) => socket.emit('pong-you', n));
			});
		});
		const { socket: dashboard } = await f.dashboard();
		const log = gather(dashboard);
		const a = await f.client('/', { auth: { room: 'blue' } });
		const b = await f.client('/', { auth: { room: 'red' } });
		expect(await ask(dashboard, 'log:subscribe', { room: 'blue' })).toEqual({
			maxPerSecond: 100,
			payloads: true
		});
		a.emit('ping-me', 1);
		b.emit('ping-me', 2);
		a.emit('ping-me', 3);
		await expect
			.poll(() => counted(log.entries), FLUSHED)
			.toEqual({ [`in ping-me ${a.id}`]: 2, [`out pong-you ${a.id}`]: 2 });
		// Folded within a second: at most a row per second for each, the first one's arguments shown.
		expect(log.entries.length).toBeLessThanOrEqual(4);
		expect(log.entries.find((e) => e.direction === 'in')?.args).toBe('[1]');
		// Outgoing entries too: their bytes are read as the transport takes the packet.
		expect(log.entries.every((e) => e.bytes > 0)).toBe(true);
		await ask(dashboard, 'log:unsubscribe');
		const pong = once(a, 'pong-you');
		a.emit('ping-me', 4);
		await pong;
		// A marker logged after a fresh subscription proves nothing of the unsubscribed period came.
		await ask(dashboard, 'log:subscribe', { event: 'marker' });
		a.emit('marker');
		await expect.poll(() => log.entries.at(-1)?.event, FLUSHED).toBe('marker');
		expect(counted(log.entries)).toEqual({
			[`in ping-me ${a.id}`]: 2,
			[`out pong-you ${a.id}`]: 2,
			[`in marker ${a.id}`]: 1
		});
	});

	test('logs a broadcast once, with its rooms, sender and deliveries; a socket’s own view shows what it received', async () => {
		f = await startFixture({}, {}, (io) => {
			io.on('connection', (socket) => {
				socket.join('hall');
				socket.on('shout', (n: number) => socket.to('hall').emit('heard', n));
			});
		});
		const { socket: dashboard } = await f.dashboard();
		const all = gather(dashboard);
		const { socket: second } = await f.dashboard();
		const own = gather(second);
		const { socket: third } = await f.dashboard();
		const sent = gather(third);
		const clients = [];
		for (let i = 0; i < 12; i++) clients.push(await f.client('/'));
		const [a, b] = clients;
		await ask(dashboard, 'log:subscribe', {});
		await ask(second, 'log:subscribe', { socket: b.id });
		await ask(third, 'log:subscribe', { socket: a.id, direction: 'out' });
		for (let n = 0; n < 3; n++) a.emit('shout', n);
		await expect
			.poll(() => counted(all.entries), FLUSHED)
			.toEqual({ [`in shout ${a.id}`]: 3, [`broadcast heard ${a.id}`]: 3 });
		const broadcasts = all.entries.filter((e) => e.broadcast);
		expect(broadcasts.reduce((n, e) => n + e.broadcast!.recipients, 0)).toBe(33);
		expect(broadcasts[0]).toMatchObject({
			direction: 'out',
			broadcast: { rooms: ['hall'], except: [] }
		});
		expect(broadcasts.every((e) => e.bytes > 0)).toBe(true);
		// No row per recipient: the deliveries are in the broadcast's entry.
		expect(all.entries.filter((e) => e.direction === 'out' && !e.broadcast)).toEqual([]);
		await expect.poll(() => counted(own.entries), FLUSHED).toEqual({ [`out heard ${b.id}`]: 3 });
		await expect
			.poll(() => counted(sent.entries), FLUSHED)
			.toEqual({ [`broadcast heard ${a.id}`]: 3 });
	});

	test('logs a broadcast that waits for acknowledgements once, with its deliveries', async () => {
		f = await startFixture({}, {}, (io) => {
			io.on('connection', (socket) => {
				socket.on('poll-all', () => io.timeout(5000).emit('vote', () => {}));
			});
		});
		const { socket: dashboard } = await f.dashboard();
		const all = gather(dashboard);
		const clients = [];
		for (let i = 0; i < 5; i++) clients.push(await f.client('/'));
		for (const client of clients) client.on('vote', (answer: () => void) => answer());
		await ask(dashboard, 'log:subscribe', {});
		clients[0].emit('poll-all');
		clients[0].emit('poll-all');
		await expect
			.poll(() => counted(all.entries), FLUSHED)
			.toEqual({ [`in poll-all ${clients[0].id}`]: 2, [`broadcast vote `]: 2 });
		const broadcasts = all.entries.filter((e) => e.broadcast);
		expect(broadcasts.reduce((n, e) => n + e.broadcast!.recipients, 0)).toBe(10);
	});

	test('folds a burst into one row and drops only rows beyond the cap, counted', async () => {
		f = await startFixture({ eventLog: { maxPerSecond: 10 } });
		const { socket: dashboard } = await f.dashboard();
		const log = gather(dashboard);
		const a = await f.client('/');
		await ask(dashboard, 'log:subscribe', { direction: 'in' });
		for (let i = 0; i < 50; i++) a.emit('burst', i);
		await expect.poll(() => counted(log.entries)[`in burst ${a.id}`], FLUSHED).toBe(50);
		expect(log.dropped).toBe(0);
		expect(log.entries.every((e) => e.args === undefined)).toBe(true);
		for (let i = 0; i < 30; i++) a.emit(`name-${i}`);
		await expect
			.poll(
				() => log.entries.filter((e) => e.event.startsWith('name-')).length + log.dropped,
				FLUSHED
			)
			.toBe(30);
		expect(log.dropped).toBeGreaterThanOrEqual(10);
	});
});

describe('socket details', () => {
	test('redact socket.data values, secret headers and handshake.auth by default', async () => {
		f = await startFixture({}, {}, (io) => {
			io.on('connection', (socket) => {
				socket.data = { userId: 42, token: 'secret' };
			});
		});
		const { socket: dashboard } = await f.dashboard();
		const a = await f.client('/', {
			auth: { token: 'abc' },
			extraHeaders: { authorization: 'Bearer x', 'x-app': 'demo' }
		});
		const details = await ask<SocketDetails>(dashboard, 'socket:details', {
			namespace: '/',
			id: a.id
		});
		expect(details.dataKeys).toEqual(['userId', 'token']);
		expect(details.data).toEqual({ userId: '[redacted]', token: '[redacted]' });
		expect(details.handshake.auth).toBe('[redacted]');
		expect(details.handshake.headers.authorization).toBe('[redacted]');
		// Headers are shown from a safe list only: one nobody listed is hidden too.
		expect(details.handshake.headers['x-app']).toBe('[redacted]');
		await expect(
			ask(dashboard, 'socket:details', { namespace: '/', id: 'nope' })
		).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
	});

	test('show the values the operator allows', async () => {
		f = await startFixture({ redact: { socketData: ['token'], auth: false } }, {}, (io) => {
			io.on('connection', (socket) => {
				socket.data = { userId: 42, token: 'secret' };
			});
		});
		const { socket: dashboard } = await f.dashboard();
		const a = await f.client('/', { auth: { room: 'x' } });
		const details = await ask<SocketDetails>(dashboard, 'socket:details', {
			namespace: '/',
			id: a.id
		});
		expect(details.data).toEqual({ userId: 42, token: '[redacted]' });
		expect(details.handshake.auth).toEqual({ room: 'x' });
	});
});
