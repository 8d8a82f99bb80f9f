/**
 * The agent lives inside someone else's server: its own traffic shows in no figure, `close()`
 * leaves nothing behind, and a fault inside it never reaches the host's clients.
 */
import { createServer } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { Server, type Namespace } from 'socket.io';
import { instrument } from '../../server/agent/index.js';
import { NamespaceStats } from '../../server/agent/observe/model.js';
import { Histogram } from '../../server/agent/observe/rtt-histogram.js';
import type { NamespacesPage, Page, SocketRow } from '../../server/protocol/models.js';
import { ask, nextSample, once, startFixture, type Fixture } from '../support/agent-fixture.js';
import { HOSTS } from '../support/hosts.js';

let f: Fixture | undefined;
afterEach(async () => {
	vi.restoreAllMocks();
	await f?.close();
	f = undefined;
});

// V8's own answer to whether an object keeps fast (shape-described) properties: an adapter that
// lost them runs every broadcast through a slower dictionary lookup for the rest of the process.
setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

function echoServer(io: Server) {
	io.on('connection', (socket) => {
		socket.join('chat');
		socket.on('say', (text: string) => socket.to('chat').emit('said', text));
	});
}

describe('admin traffic', () => {
	test('appears in no figure', async () => {
		f = await startFixture({}, {}, echoServer);
		const { socket: dashboard } = await f.dashboard();
		const first = (await ask<NamespacesPage>(dashboard, 'namespaces:query')).rows;
		for (let i = 0; i < 20; i++) await ask(dashboard, 'sockets:query', { limit: 10 });
		await ask(dashboard, 'log:subscribe', {});
		await f.dashboard();
		const later = (await ask<NamespacesPage>(dashboard, 'namespaces:query')).rows;
		expect(later).toEqual(first);
		expect(later.map((n) => n.name)).toEqual(['/']);
		const sample = await nextSample(dashboard);
		expect(sample.namespaces.map((n) => n.name)).toEqual(['/']);
		expect(sample.namespaces[0]).toMatchObject({
			sockets: 0,
			eventsIn: 0,
			eventsOut: 0,
			bytesIn: 0,
			bytesOut: 0
		});
		expect((await ask<Page<SocketRow>>(dashboard, 'sockets:query', {})).total).toBe(0);
	});
});

describe.each(HOSTS)('close() on $name', (host) => {
	function listenerCounts(io: Server) {
		const counts: Record<string, number> = {
			newNamespace: io.listeners('new_namespace' as 'connection').length
		};
		for (const [name, nsp] of io._nsps as Map<string, Namespace>) {
			counts[`${name} connection`] = nsp.listeners('connection').length;
			for (const e of ['create-room', 'delete-room', 'join-room', 'leave-room']) {
				counts[`${name} ${e}`] = nsp.adapter.listeners(e).length;
			}
			counts[`${name} own broadcast`] = Object.hasOwn(nsp.adapter, 'broadcast') ? 1 : 0;
			counts[`${name} own apply`] = Object.hasOwn(nsp.adapter, 'apply') ? 1 : 0;
			for (const socket of nsp.sockets.values()) {
				counts[`${socket.id} any`] = socket.listenersAny().length;
				counts[`${socket.id} anyOutgoing`] = socket.listenersAnyOutgoing().length;
				counts[`${socket.id} disconnect`] = socket.listeners('disconnect').length;
				counts[`${socket.id} disconnecting`] = socket.listeners('disconnecting').length;
				for (const e of ['packet', 'packetCreate', 'upgrade', 'close']) {
					counts[`${socket.id} conn ${e}`] = socket.conn.listeners(e).length;
				}
			}
		}
		counts.request = (io.httpServer as ReturnType<typeof createServer>).listeners('request').length;
		counts.engineConnection = io.engine.listeners('connection').length;
		counts.engineFlush = io.engine.listeners('flush').length;
		counts.ownEncode = Object.hasOwn(io.encoder, 'encode') ? 1 : 0;
		return counts;
	}

	test('leaves zero listeners, routes and namespaces behind', async () => {
		const http = createServer((_req, res) => res.writeHead(404).end('host'));
		const parser = host.parser ? { parser: host.parser as never } : {};
		const io = new host.Server(http, parser);
		echoServer(io);
		io.of('/other');
		await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
		const port = (http.address() as { port: number }).port;
		const { io: connect } = await import('socket.io-client');
		// WebSocket only: an upgrade in flight would change the connection's own listeners meanwhile.
		const options = { forceNew: true, transports: ['websocket'], ...parser };
		const clients = [
			connect(`http://127.0.0.1:${port}`, options),
			connect(`http://127.0.0.1:${port}/other`, options)
		];
		await Promise.all(clients.map((c) => once(c, 'connect')));
		const before = listenerCounts(io);
		const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

		const agent = instrument(io, { auth: false, metrics: { path: '/metrics' } });
		const during = listenerCounts(io);
		expect(during).not.toEqual(before);
		expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);

		await agent.close();
		expect(listenerCounts(io)).toEqual(before);
		// The wrappers are taken off in the reverse of the order they were put on, which V8 undoes by
		// returning to the adapter's earlier shape; any other order leaves it a dictionary.
		for (const nsp of (io._nsps as Map<string, Namespace>).values()) {
			expect(hasFastProperties(nsp.adapter), `${nsp.name}'s adapter`).toBe(true);
		}
		expect(io._nsps.has('/sockscope')).toBe(false);
		expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
		expect(
			process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
		).toBeLessThanOrEqual(timersBefore);

		for (const c of clients) c.disconnect();
		await new Promise<void>((resolve) => io.close(() => resolve()));
	});
	test('ends with io.close() alone: no timer, listener, route or namespace of the agent is left', async () => {
		const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
		const http = createServer((_req, res) => res.writeHead(404).end('host'));
		const parser = host.parser ? { parser: host.parser as never } : {};
		const io = new host.Server(http, parser);
		echoServer(io);
		io.of('/other');
		const before = listenerCounts(io);
		const timersBefore = timers();
		const agent = instrument(io, { auth: false, metrics: { path: '/metrics' } });
		await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
		const port = (http.address() as { port: number }).port;
		expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
		const { io: connect } = await import('socket.io-client');
		const options = { forceNew: true, reconnection: false, transports: ['websocket'], ...parser };
		const clients = [
			connect(`http://127.0.0.1:${port}`, options),
			connect(`http://127.0.0.1:${port}/other`, options),
			connect(`http://127.0.0.1:${port}/sockscope`, options)
		];
		await Promise.all(clients.map((c) => once(c, 'connect')));
		expect(listenerCounts(io)).not.toEqual(before);
		expect(timers()).toBeGreaterThan(timersBefore);

		const gone = clients.map((c) => once(c, 'disconnect'));
		await io.close();
		// The clients' own timers end as they see the server go.
		await Promise.all(gone);
		expect(listenerCounts(io)).toEqual(before);
		expect(io._nsps.has('/sockscope')).toBe(false);
		expect(timers()).toBeLessThanOrEqual(timersBefore);
		expect(agent.inspect()).toMatchObject({ namespaces: 0, sockets: 0, logSubscribers: 0 });
		// Closing the agent afterwards, as a host's own shutdown might, is harmless.
		await agent.close();
		for (const c of clients) c.disconnect();
	});
});

describe('faults inside the agent', () => {
	test('leave a chat round-trip between two clients working, and are counted', async () => {
		f = await startFixture({}, { pingInterval: 100 }, echoServer);
		const { socket: dashboard } = await f.dashboard();
		const a = await f.client('/');
		const b = await f.client('/');
		vi.spyOn(NamespaceStats.prototype, 'event').mockImplementation(() => {
			throw new Error('injected fault');
		});
		vi.spyOn(Histogram.prototype, 'add').mockImplementation(() => {
			throw new Error('injected fault');
		});
		for (let i = 0; i < 3; i++) {
			const said = once<string>(b, 'said');
			a.emit('say', `hello ${i}`);
			expect(await said).toBe(`hello ${i}`);
		}
		const late = await f.client('/');
		const heard = once<string>(late, 'said');
		b.emit('say', 'still here');
		expect(await heard).toBe('still here');
		const sample = await nextSample(dashboard, (s) => (s.faults ?? 0) >= 6);
		expect(sample.faults).toBeGreaterThanOrEqual(6);
	});
});
