/** The Express 5 recipe of docs/recipes.md, run as written: dashboard on the app's server, metrics behind its auth. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Registry } from 'prom-client';
import { Server } from 'socket.io';
import { expect, onTestFinished, test } from 'vitest';
import { instrument } from '../../server/agent/index.js';
import { connectClients, expectDashboardSees, opsAuth } from '../support/mounted-dashboard.js';

test('Express 5: the dashboard on the app, metrics on an Express route behind its own check', async () => {
	// --- recipe ---
	const app = express();
	const register = new Registry();
	const httpServer = createServer(app);
	const io = new Server(httpServer);
	const agent = instrument(io, { auth: await opsAuth(), metrics: { register } });
	const requireToken: express.RequestHandler = (req, res, next) =>
		req.headers.authorization === 'Bearer scrape-token' ? next() : void res.sendStatus(401);
	app.get('/metrics', requireToken, agent.metricsHandler());
	app.get('/', (_req, res) => void res.send('the app'));
	// --- end ---
	await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
	onTestFinished(async () => {
		await agent.close();
		await io.close();
	});
	const base = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;

	await connectClients(base, 3);
	await expectDashboardSees(base, 3);
	expect(await (await fetch(base)).text()).toBe('the app');
	expect((await fetch(`${base}/metrics`)).status).toBe(401);
	const metrics = await fetch(`${base}/metrics`, {
		headers: { authorization: 'Bearer scrape-token' }
	});
	expect(await metrics.text()).toContain('socketio_sockets{namespace="/"} 3');
});
