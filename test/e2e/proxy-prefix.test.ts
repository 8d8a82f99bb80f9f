/**
 * The dashboard behind a real nginx that strips a path prefix (`/app2/…` → the app's `/…`), with
 * no option: the page, its files, its config, socket.io and the admin namespace are all reached
 * under the prefix, as derived from where the page was loaded. In a real Chromium, the operator
 * opens `/app2/sockscope`, logs in and sees the app's sockets; nothing is asked of the host's root.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import bcrypt from 'bcryptjs';
import { Server } from 'socket.io';
import { afterAll, beforeAll, it } from 'vitest';
import { instrument, type Instrumentation } from '../../server/agent/index.js';
import { describeProxy, startNginx, type Proxy } from '../support/nginx.js';
import { expectPrefixedDashboard } from '../support/prefixed-dashboard.js';
import { connectClient } from '../support/util.js';
import type { Socket } from 'socket.io-client';
import { useBrowser } from './helpers.js';

describeProxy('behind nginx stripping a path prefix', () => {
	const browser = useBrowser();
	let io: Server;
	let agent: Instrumentation;
	let proxy: Proxy;
	const clients: Socket[] = [];

	beforeAll(async () => {
		const httpServer = createServer((_req, res) => res.writeHead(404).end('app 404'));
		io = new Server(httpServer);
		agent = instrument(io, {
			auth: { users: [{ name: 'ops', passwordHash: bcrypt.hashSync('ops-pw', 4), role: 'admin' }] }
		});
		await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
		const app = `127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
		proxy = await startNginx(app, 'location /app2/ { proxy_pass http://$APP/; }');
		// The app's own clients, through the proxy as well.
		for (let i = 0; i < 4; i++)
			clients.push(await connectClient(proxy.url, { path: '/app2/socket.io' }));
	});

	afterAll(async () => {
		for (const client of clients) client.disconnect();
		await agent?.close();
		await new Promise((resolve) => io?.close(resolve));
		await proxy?.close();
	});

	it('logs in at /app2/sockscope and shows the sockets, asking nothing outside the prefix', async () => {
		await expectPrefixedDashboard(browser(), {
			origin: proxy.url,
			prefix: '/app2',
			user: 'ops',
			password: 'ops-pw',
			sockets: 4
		});
	});
});
