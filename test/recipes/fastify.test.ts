/** The Fastify 5 recipe of docs/recipes.md, run as written: socket.io on fastify.server, metrics as a Fastify route. */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { Server } from 'socket.io';
import { expect, onTestFinished, test } from 'vitest';
import { instrument } from '../../server/agent/index.js';
import { connectClients, expectDashboardSees, opsAuth } from '../support/mounted-dashboard.js';

test('Fastify 5: the dashboard on fastify.server, metrics on a Fastify route', async () => {
	// --- recipe ---
	const fastify = Fastify();
	const io = new Server(fastify.server);
	const agent = instrument(io, { auth: await opsAuth(), metrics: {} });
	fastify.get('/metrics', agent.metricsHandler());
	fastify.get('/', async () => 'the app');
	await fastify.listen({ port: 0, host: '127.0.0.1' });
	// --- end ---
	onTestFinished(async () => {
		await agent.close();
		await io.close();
		await fastify.close();
	});
	const base = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;

	await connectClients(base, 4);
	await expectDashboardSees(base, 4);
	expect(await (await fetch(base)).text()).toBe('the app');
	const metrics = await fetch(`${base}/metrics`);
	expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
	expect(await metrics.text()).toContain('socketio_sockets{namespace="/"} 4');
});
