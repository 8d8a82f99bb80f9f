/**
 * Deployments of the packed package: an Express 5 app installed from the tarball mounts
 * `agent.dashboardHandler()` behind its own auth middleware (`dashboard: false`), as
 * docs/recipes.md shows. Without the app's credentials nothing of the dashboard is served; with
 * them it is, and a dashboard logs in. Then the same app behind a real nginx that strips a path
 * prefix: in Chromium, the operator passes the app's Basic auth, logs in under the prefix and sees
 * the app's sockets.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, onTestFinished, test } from 'vitest';
import { hashPassword } from '../../server/agent/index.js';
import { launchBrowser } from '../support/browser.js';
import {
	APP_CREDENTIALS,
	connectClients,
	expectGuardedDashboard,
	OPS_PASSWORD,
	STAFF
} from '../support/mounted-dashboard.js';
import { describeProxy, startNginx } from '../support/nginx.js';
import { expectPrefixedDashboard } from '../support/prefixed-dashboard.js';
import { connectClient } from '../support/util.js';
import { installApp, INSTALL_TIMEOUT, packTarball, startApp, type Packed } from './tarball.js';

/**
 * The recipe as an app: the staff check is the app's (here the `Authorization` header it is
 * given in `STAFF_AUTHORIZATION`), the dashboard's own login is Sockscope's (`OPS_HASH`).
 */
const EXPRESS_APP = `
import { createServer } from 'node:http';
import express from 'express';
import { Server } from 'socket.io';
import { instrument } from 'sockscope';

const app = express();
const httpServer = createServer(app);
const io = new Server(httpServer);
const agent = instrument(io, {
	auth: { users: [{ name: 'ops', passwordHash: process.env.OPS_HASH, role: 'admin' }] },
	dashboard: false
});
app.use((req, res, next) =>
	req.headers.authorization === process.env.STAFF_AUTHORIZATION
		? next()
		: void res.set('www-authenticate', 'Basic').sendStatus(401)
);
app.use('/sockscope', agent.dashboardHandler());
httpServer.listen(0, '127.0.0.1', () => console.log('port ' + httpServer.address().port));
`;

let packed: Packed;
let app: string;
let env: Record<string, string>;

beforeAll(async () => {
	packed = await packTarball();
	let opsHash: string;
	[app, opsHash] = await Promise.all([
		installApp(packed.work, { type: 'module' }, [packed.tarball, 'socket.io@~4.8.0', 'express@^5']),
		hashPassword(OPS_PASSWORD, 4)
	]);
	env = { OPS_HASH: opsHash, STAFF_AUTHORIZATION: APP_CREDENTIALS };
	await writeFile(join(app, 'server.mjs'), EXPRESS_APP);
}, INSTALL_TIMEOUT);

afterAll(async () => {
	await packed?.dispose();
});

test("Express 5: the dashboard behind the app's auth middleware answers 401 without its credentials, and serves the dashboard with them", async () => {
	const { base } = await startApp(['server.mjs'], app, env);
	await connectClients(base, 2);
	await expectGuardedDashboard(base, 2);
});

describeProxy('behind nginx stripping a path prefix', () => {
	let browser: Browser | undefined;
	beforeAll(async () => {
		browser = await launchBrowser();
	});
	afterAll(async () => {
		await browser?.close();
	});

	test("in Chromium, past the app's Basic auth, the dashboard logs in under /app2 and shows the sockets", async () => {
		const { base } = await startApp(['server.mjs'], app, env);
		const proxy = await startNginx(
			new URL(base).host,
			'location /app2/ { proxy_pass http://$APP/; }'
		);
		onTestFinished(() => proxy.close());
		// The app's own clients, through the proxy as well.
		const clients: Socket[] = [];
		onTestFinished(() => clients.forEach((c) => c.disconnect()));
		for (let i = 0; i < 3; i++)
			clients.push(await connectClient(proxy.url, { path: '/app2/socket.io' }));
		await expectPrefixedDashboard(browser!, {
			origin: proxy.url,
			prefix: '/app2',
			user: 'ops',
			password: OPS_PASSWORD,
			sockets: 3,
			httpCredentials: STAFF
		});
	}, 60_000);
});
