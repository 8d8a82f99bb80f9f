/** The live event log: filters, a per-dashboard rate cap that reports what it dropped, payloads by option. */
import { afterEach, describe, expect, test } from 'vitest';
import type { LogBatch, LogEntry, SocketDetails } from '../../server/protocol/models.js';
import { ask, once, startFixture, type Fixture } from '../support/agent-fixture.js';

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

describe('event log', () => {
	test('delivers the events that match the filter, in and out', async () => {
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
		expect(await ask(dashboard, 'log:subscribe', { room: 'blue' })).toEqual({ maxPerSecond: 100, payloads: true });
		a.emit('ping-me', 1);
		b.emit('ping-me', 2);
		a.emit('ping-me', 3);
		await expect.poll(() => log.entries.length).toBe(4);
		// socket.io runs handlers on the next tick, so the order of ins and outs may interleave.
		expect(log.entries.map((e) => [e.direction, e.event, e.socket, e.args]).sort()).toEqual([
			['in', 'ping-me', a.id, '[1]'],
			['in', 'ping-me', a.id, '[3]'],
			['out', 'pong-you', a.id, '[1]'],
			['out', 'pong-you', a.id, '[3]']
		]);
		// Outgoing entries too: their bytes are read as the transport takes the packet.
		expect(log.entries.map((e) => e.bytes > 0)).toEqual([true, true, true, true]);
		await ask(dashboard, 'log:unsubscribe');
		const pong = once(a, 'pong-you');
		a.emit('ping-me', 4);
		await pong;
		// A marker logged after a fresh subscription proves nothing of the unsubscribed period came.
		await ask(dashboard, 'log:subscribe', { event: 'marker' });
		a.emit('marker');
		await expect.poll(() => log.entries.at(-1)?.event).toBe('marker');
		expect(log.entries).toHaveLength(5);
	});

	test('caps each dashboard per second and reports how many it dropped', async () => {
		f = await startFixture({ eventLog: { maxPerSecond: 10 } });
		const { socket: dashboard } = await f.dashboard();
		const log = gather(dashboard);
		const a = await f.client('/');
		await ask(dashboard, 'log:subscribe', { event: 'burst' });
		for (let i = 0; i < 50; i++) a.emit('burst', i);
		a.emit('other', 0);
		await expect.poll(() => log.entries.length + log.dropped).toBe(50);
		expect(log.entries.length).toBe(10);
		expect(log.dropped).toBe(40);
		expect(log.entries.every((e) => e.args === undefined)).toBe(true);
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
		const a = await f.client('/', { auth: { token: 'abc' }, extraHeaders: { authorization: 'Bearer x', 'x-app': 'demo' } });
		const details = await ask<SocketDetails>(dashboard, 'socket:details', { namespace: '/', id: a.id });
		expect(details.dataKeys).toEqual(['userId', 'token']);
		expect(details.data).toEqual({ userId: '[redacted]', token: '[redacted]' });
		expect(details.handshake.auth).toBe('[redacted]');
		expect(details.handshake.headers.authorization).toBe('[redacted]');
		// Headers are shown from a safe list only: one nobody listed is hidden too.
		expect(details.handshake.headers['x-app']).toBe('[redacted]');
		await expect(ask(dashboard, 'socket:details', { namespace: '/', id: 'nope' })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
	});

	test('show the values the operator allows', async () => {
		f = await startFixture({ redact: { socketData: ['token'], auth: false } }, {}, (io) => {
			io.on('connection', (socket) => {
				socket.data = { userId: 42, token: 'secret' };
			});
		});
		const { socket: dashboard } = await f.dashboard();
		const a = await f.client('/', { auth: { room: 'x' } });
		const details = await ask<SocketDetails>(dashboard, 'socket:details', { namespace: '/', id: a.id });
		expect(details.data).toEqual({ userId: 42, token: '[redacted]' });
		expect(details.handshake.auth).toEqual({ room: 'x' });
	});
});
