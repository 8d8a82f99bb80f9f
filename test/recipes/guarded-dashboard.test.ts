/**
 * The "dashboard behind the app's own middleware" recipes of docs/recipes.md, run as written:
 * `dashboard: false` and `agent.dashboardHandler()` mounted behind an app-wide guard, in Express
 * 5, Fastify 5 and plain `http`. The guard answers first: without the app's credentials nothing of
 * the dashboard is served; with them, it is, and a dashboard logs in.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { Server } from 'socket.io';
import { onTestFinished, test } from 'vitest';
import { instrument } from '../../server/agent/index.js';
import { APP_CREDENTIALS, connectClients, expectGuardedDashboard, opsAuth } from '../support/mounted-dashboard.js';

/** The app's own check: here Basic credentials; in an app, its session or SSO. */
const isStaff = (req: IncomingMessage) => req.headers.authorization === APP_CREDENTIALS;

test("Express 5: the dashboard mounted behind the app's auth middleware", async () => {
	// --- recipe ---
	const app = express();
	const httpServer = createServer(app);
	const io = new Server(httpServer);
	const agent = instrument(io, { auth: await opsAuth(), dashboard: false });
	app.use((req, res, next) =>
		isStaff(req) ? next() : void res.set('www-authenticate', 'Basic').sendStatus(401)
	);
	app.use('/sockscope', agent.dashboardHandler());
	// --- end ---
	await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
	onTestFinished(async () => {
		await agent.close();
		await io.close();
	});
	const base = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
	await connectClients(base, 2);
	await expectGuardedDashboard(base, 2);
});

test("Fastify 5: the dashboard on routes behind the app's onRequest hook", async () => {
	// --- recipe ---
	const fastify = Fastify();
	const io = new Server(fastify.server);
	const agent = instrument(io, { auth: await opsAuth(), dashboard: false });
	await fastify.register(async (admin) => {
		admin.addHook('onRequest', async (request, reply) => {
			if (!isStaff(request.raw)) return reply.code(401).header('www-authenticate', 'Basic').send();
		});
		admin.get('/sockscope', agent.dashboardHandler());
		admin.get('/sockscope/*', agent.dashboardHandler());
	});
	await fastify.listen({ port: 0, host: '127.0.0.1' });
	// --- end ---
	onTestFinished(async () => {
		await agent.close();
		await io.close();
		await fastify.close();
	});
	const base = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;
	await connectClients(base, 3);
	await expectGuardedDashboard(base, 3);
});

test('plain http: the dashboard answered by the app, after its own check', async () => {
	// --- recipe ---
	const httpServer = createServer((req, res) => {
		if (!isStaff(req)) return void res.writeHead(401, { 'www-authenticate': 'Basic' }).end();
		if (req.url === '/sockscope' || req.url!.startsWith('/sockscope/')) return dashboard(req, res);
		res.writeHead(404).end();
	});
	const io = new Server(httpServer);
	const agent = instrument(io, { auth: await opsAuth(), dashboard: false });
	const dashboard = agent.dashboardHandler();
	// --- end ---
	await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
	onTestFinished(async () => {
		await agent.close();
		await io.close();
	});
	const base = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
	await connectClients(base, 1);
	await expectGuardedDashboard(base, 1);
});
