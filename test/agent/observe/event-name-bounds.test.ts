/**
 * Event names are chosen by the host's clients, so a client can send any: they are bounded in
 * length, number and bytes before the agent stores, counts or labels them, and a real event sent
 * after a flood of invented names still gets its own line.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, test } from 'vitest';
import type { SocketDetails } from '../../../server/protocol/models.js';
import { ask, nextSample, startFixture, type Fixture } from '../../support/agent-fixture.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let f: Fixture | undefined;
afterEach(async () => {
	await f?.close();
	f = undefined;
});

function heapAfterGc(): number {
	for (let i = 0; i < 3; i++) gc();
	return process.memoryUsage().heapUsed;
}

const JUNK = 200;
const NAME_LENGTH = 1_000_000;

describe('event names a client invents', () => {
	test(`${JUNK} names of 1 MB leave the heap, /metrics and the answers small; a real event keeps its line`, async () => {
		let received = 0;
		f = await startFixture({ metrics: { path: '/metrics' } }, { maxHttpBufferSize: 2e6 }, (io) => {
			io.on('connection', (socket) => socket.onAny(() => received++));
		});
		const { socket: dashboard } = await f.dashboard();
		const junk = await f.client('/');
		const chat = await f.client('/');
		chat.emit('warm-up');
		await expect.poll(() => received).toBe(1);
		await nextSample(dashboard);
		const before = heapAfterGc();

		for (let i = 0; i < JUNK; i++) junk.emit(`${i}:${'x'.repeat(NAME_LENGTH)}`);
		await expect.poll(() => received, { timeout: 60_000 }).toBe(1 + JUNK);
		const details = await ask<SocketDetails>(dashboard, 'socket:details', {
			namespace: '/',
			id: junk.id
		});
		expect(JSON.stringify(details).length).toBeLessThan(100_000);
		junk.disconnect();
		// The names are ranked once a sample: the junk is cold by the next one.
		await nextSample(dashboard);
		await nextSample(dashboard);
		chat.emit('chat');
		await expect.poll(() => received).toBe(2 + JUNK);

		const grown = heapAfterGc() - before;
		console.log(
			`heap grew ${(grown / 1024).toFixed(0)} KB after ${JUNK} names of ${NAME_LENGTH} characters`
		);
		expect(grown).toBeLessThan(2 * 1024 * 1024);
		const metrics = await (await fetch(`${f.url}/metrics`)).text();
		expect(metrics.length).toBeLessThan(200 * 1024);
		expect(metrics).toMatch(/^socketio_events_received_total\{namespace="\/",event="chat"\} 1$/m);
	}, 120_000);

	test('names socket.io refuses are not counted', async () => {
		f = await startFixture();
		const { socket: dashboard } = await f.dashboard();
		const rogue = await f.client('/');
		const closed = new Promise((resolve) => rogue.once('disconnect', resolve));
		// socket.io-client refuses to emit a reserved name; the packet is written by hand, and
		// socket.io drops the connection that sent it.
		(rogue.io.engine as unknown as { write(data: string): void }).write('2["disconnecting"]');
		await closed;
		(await f.client('/')).emit('counted');
		const sample = await nextSample(dashboard, (s) => s.namespaces[0]?.eventsIn > 0);
		expect(sample.namespaces[0].eventsIn).toBe(1);
		expect(sample.namespaces[0].topEvents.map((e) => e.name)).toEqual(['counted']);
	});

	test('an allowlist counts only its names apart', async () => {
		f = await startFixture({ eventNames: ['chat'] });
		const { socket: dashboard } = await f.dashboard();
		const client = await f.client('/');
		client.emit('chat');
		client.emit('other-name');
		const sample = await nextSample(dashboard, (s) => s.namespaces[0]?.eventsIn >= 2);
		expect(sample.namespaces[0].topEvents.map((e) => e.name).sort()).toEqual(['_other', 'chat']);
	});

	test('namespaces beyond 50 share one metrics label', async () => {
		f = await startFixture({ metrics: { path: '/metrics' } }, {}, (io) => {
			io.of(/^\/tenant-\d+$/);
		});
		for (let i = 0; i < 60; i++) await f.client(`/tenant-${i}`);
		const metrics = await (await fetch(`${f.url}/metrics`)).text();
		const labels = new Set(
			[...metrics.matchAll(/^socketio_sockets\{namespace="([^"]*)"\}/gm)].map((m) => m[1])
		);
		expect(labels.size).toBe(51);
		expect(metrics).toMatch(/^socketio_sockets\{namespace="_other"\} 10$/m);
	});
});
