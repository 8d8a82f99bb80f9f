/**
 * The mistakes operators make when adopting the agent, each refused (or reported) with a message
 * that names what is wrong and says what to do.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { instrument, type Instrumentation } from '../../server/agent/index.js';

const HASH = '$2b$04$' + 'a'.repeat(53);
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
	vi.restoreAllMocks();
	while (closers.length) await closers.pop()!();
});

describe('refused at instrument()', () => {
	const cases: [string, unknown, string][] = [
		[
			'an unset hash variable',
			{
				auth: {
					users: [
						{ name: 'admin', passwordHash: HASH, role: 'admin' },
						{ name: 'ops', passwordHash: process.env.SOCKSCOPE_TEST_UNSET_HASH, role: 'admin' }
					]
				}
			},
			'option "auth.users[1]" ("ops"): passwordHash is undefined — set it to the output of `npx sockscope hash-password`'
		],
		[
			'metrics: true',
			{ auth: false, metrics: true },
			'option "metrics": must be false or an object: { path: \'/metrics\' } to serve them, { register } to add them to your prom-client registry'
		],
		[
			'metrics.register that is not a registry',
			{ auth: false, metrics: { register: {} } },
			'option "metrics.register": must be a prom-client Registry'
		],
		[
			'metrics.authorize without a path to guard',
			{ auth: false, metrics: { authorize: () => true } },
			'option "metrics.authorize": guards the route at "metrics.path", and none is given'
		],
		['users: []', { auth: { users: [] } }, 'option "auth.users": is empty, so nobody could log in'],
		[
			'a misspelt option',
			{ auth: false, dashbord: false },
			'option "(options)": unknown option "dashbord" — did you mean "dashboard"?'
		],
		[
			'a misspelt nested option',
			{ auth: false, limits: { burts: 3 } },
			'option "limits": unknown option "burts" — did you mean "burst"?'
		],
		[
			"a user's misspelt field",
			{ auth: { users: [{ name: 'a', passwordHash: HASH, role: 'admin', namespace: ['/'] }] } },
			'option "auth.users[0]": unknown option "namespace" — did you mean "namespaces"?'
		],
		[
			'an option like none',
			{ auth: false, metrics: { zzz: 1 } },
			'option "metrics": unknown option "zzz"; the options here are "path", "register", "defaultMetrics", "authorize", "rooms"'
		],
		[
			'auth: {} with no users and no hook',
			{ auth: {} },
			'option "auth": gives no way to log in — add `users`'
		]
	];

	test.each(cases)('%s', (_name, options, message) => {
		const io = new Server();
		expect(() => instrument(io, options as never)).toThrow(message);
		// Nothing was wired: no admin namespace was created.
		expect(io._nsps.has('/sockscope')).toBe(false);
	});

	test.each([
		[
			"the dashboard at socket.io's own path",
			'/socket.io',
			{ dashboard: { path: '/socket.io' } },
			'option "dashboard.path": "/socket.io" is socket.io\'s own path "/socket.io" (the Server\'s `path` option), so it would take socket.io\'s requests and clients could not connect; choose a path outside "/socket.io", such as "/sockscope"'
		],
		[
			"the dashboard at a folder holding socket.io's path",
			'/rt/socket.io',
			{ dashboard: { path: '/rt' } },
			'option "dashboard.path": "/rt" contains socket.io\'s own path "/rt/socket.io" (the Server\'s `path` option), so it would take socket.io\'s requests and clients could not connect; choose a path outside "/rt/socket.io", such as "/sockscope"'
		],
		[
			"the dashboard under socket.io's path",
			'/socket.io',
			{ dashboard: { path: '/socket.io/admin' } },
			'option "dashboard.path": "/socket.io/admin" lies under socket.io\'s own path "/socket.io" (the Server\'s `path` option), so socket.io would answer its requests; choose a path outside "/socket.io", such as "/sockscope"'
		],
		[
			"metrics at socket.io's own path, given with a trailing slash",
			'/rt/socket.io/',
			{ metrics: { path: '/rt/socket.io' } },
			'option "metrics.path": "/rt/socket.io" is socket.io\'s own path "/rt/socket.io"'
		],
		[
			"metrics under socket.io's path",
			'/socket.io',
			{ metrics: { path: '/socket.io/metrics' } },
			'option "metrics.path": "/socket.io/metrics" lies under socket.io\'s own path "/socket.io" (the Server\'s `path` option), so socket.io would answer its requests; choose a path outside "/socket.io", such as "/metrics"'
		]
	])('%s is refused, naming both paths', (_name, socketPath, options, message) => {
		const io = new Server({ path: socketPath });
		expect(() => instrument(io, { auth: false, ...options })).toThrow(message);
		expect(io._nsps.has('/sockscope')).toBe(false);
	});

	test.each([
		["a sibling of socket.io's path", '/rt/socket.io', { dashboard: { path: '/rt/sockscope' } }],
		['a path sharing only a prefix of letters', '/rt', { dashboard: { path: '/rtx' } }],
		["metrics at a folder above socket.io's path", '/rt/socket.io', { metrics: { path: '/rt' } }]
	])('%s is accepted', async (_name, socketPath, options) => {
		const agent = instrument(new Server({ path: socketPath }), { auth: false, ...options });
		closers.push(() => agent.close());
	});

	test('a second instrument() on one server, until the first is closed', async () => {
		const io = new Server();
		const first = instrument(io, { auth: false });
		expect(() => instrument(io, { auth: false })).toThrow(
			'instrument(io): this Server is already instrumented; call close() on the first instrumentation before instrumenting it again'
		);
		await first.close();
		const second = instrument(io, { auth: false });
		await second.close();
	});

	test.each([
		[
			'the http.Server (a common slip)',
			() => createServer(),
			'io must be a Socket.IO Server (`new Server(httpServer)` from socket.io 4.6 or later); got an http.Server — pass the Socket.IO Server created on it instead'
		],
		[
			'undefined',
			() => undefined,
			'io must be a Socket.IO Server (`new Server(httpServer)` from socket.io 4.6 or later); got undefined'
		],
		['a plain object', () => ({}), 'got a plain object'],
		[
			'a namespace',
			() => new Server().of('/chat'),
			'got the namespace "/chat" — pass its server (`nsp.server`) instead'
		]
	])('instrument() given %s instead of a Server says what it got', (_name, make, message) => {
		expect(() => instrument(make() as never, { auth: false })).toThrow(message);
	});

	test('metricsHandler() without the metrics option', async () => {
		const agent = instrument(new Server(), { auth: false });
		closers.push(() => agent.close());
		expect(() => agent.metricsHandler()).toThrow(
			'metricsHandler(): metrics are off; set the `metrics` option'
		);
	});
});

describe('a Server with no HTTP server yet', () => {
	test('warns, then serves the dashboard and metrics once io.attach() gives it one', async () => {
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		const io = new Server();
		const agent: Instrumentation = instrument(io, { auth: false, metrics: { path: '/metrics' } });
		expect(warn).toHaveBeenCalledWith(
			expect.stringContaining(
				'sockscope: this Socket.IO server has no HTTP server yet, so the dashboard and the metrics will be served once io.attach() or io.listen() gives it one'
			)
		);

		const http = createServer((_req, res) => res.writeHead(404).end('app 404'));
		io.attach(http);
		await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
		closers.push(() => new Promise((resolve) => io.close(resolve)));
		closers.push(() => agent.close());
		const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

		const page = await fetch(`${base}/sockscope/config.json`);
		expect(page.status).toBe(200);
		expect(await page.json()).toMatchObject({ namespace: '/sockscope' });
		const metrics = await fetch(`${base}/metrics`);
		expect(await metrics.text()).toContain('socketio_sockets');
		expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
	});
});
