/**
 * Metrics that join the app's own: Sockscope's in the app's prom-client registry beside the app's,
 * `metricsHandler()` behind the app's routing, process metrics only when asked, an exposition that
 * `promtool check metrics` accepts, and no silent takeover of a route the app already answers.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { startFixture, type Fixture } from '../../support/agent-fixture.js';

const PROMTOOL_HINT = 'promtool not found: apt-get install -y prometheus';
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
if (!hasPromtool && process.env.CI) throw new Error(PROMTOOL_HINT);

let fx: Fixture | undefined;
let app: HttpServer | undefined;

afterEach(async () => {
	vi.restoreAllMocks();
	await fx?.close();
	if (app) await new Promise((resolve) => app!.close(resolve));
	fx = app = undefined;
});

function appRegistry() {
	const register = new Registry();
	new Counter({ name: 'app_http_requests_total', help: 'Requests', registers: [register] }).inc(3);
	return register;
}

/** A plain http server of the app's, with `handler` at `/app-metrics`. */
async function serve(handler: (req: unknown, res: unknown) => void): Promise<string> {
	app = createServer((req, res) =>
		req.url === '/app-metrics' ? handler(req, res) : res.writeHead(404).end()
	);
	await new Promise<void>((resolve) => app!.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(app.address() as AddressInfo).port}/app-metrics`;
}

describe('metrics: { register }', () => {
	test("the app's metrics and Sockscope's share one registry, and the app's stay after close", async () => {
		const register = appRegistry();
		fx = await startFixture({ metrics: { register } });
		await fx.client('/');
		await fx.client('/');
		const text = await register.metrics();
		expect(text).toContain('app_http_requests_total 3');
		expect(text).toContain('socketio_sockets{namespace="/"} 2');
		// No process metrics unless asked.
		expect(text).not.toContain('process_cpu_user_seconds_total');

		await fx.close();
		fx = undefined;
		const after = await register.metrics();
		expect(after).toContain('app_http_requests_total 3');
		expect(after).not.toContain('socketio_');
	});

	test('defaultMetrics: true adds the process metrics', async () => {
		const register = appRegistry();
		fx = await startFixture({ metrics: { register, defaultMetrics: true } });
		expect(await register.metrics()).toContain('process_cpu_user_seconds_total');
	});

	test('a registry that already has these metrics is refused with the reason', async () => {
		const register = appRegistry();
		fx = await startFixture({ metrics: { register } });
		await expect(startFixture({ metrics: { register } })).rejects.toThrow(
			/option "metrics": A metric with the name socketio_sockets has already been registered/
		);
		// The refused agent took nothing away from the first one.
		expect(await register.metrics()).toContain('socketio_sockets');
	});
});

describe('metricsHandler()', () => {
	test('serves the exposition from a route of the app', async () => {
		fx = await startFixture({ metrics: {} });
		await fx.client('/');
		const url = await serve(fx.agent.metricsHandler());
		const res = await fetch(url);
		expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
		expect(await res.text()).toContain('socketio_sockets{namespace="/"} 1');
		// Not served on the agent's own server: only where the app mounted it.
		expect((await fetch(`${fx.url}/metrics`)).status).toBe(404);
	});

	test.skipIf(!hasPromtool)(
		'promtool check metrics accepts the exposition, process metrics included',
		async () => {
			fx = await startFixture({ metrics: { register: appRegistry(), defaultMetrics: true } });
			const client = await fx.client('/');
			client.emit('hello', 'world');
			await fx.client('/chat').catch(() => {});
			const text = await (await fetch(await serve(fx.agent.metricsHandler()))).text();
			expect(text).toContain('socketio_heartbeat_rtt_seconds_bucket');
			const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
			expect(check.stdout + check.stderr).toBe('');
			expect(check.status).toBe(0);
		}
	);
});

describe('metrics: { path } where the app already answers', () => {
	test("leaves the app's route alone and says what to do instead", async () => {
		const error = vi.spyOn(console, 'error').mockImplementation(() => {});
		fx = await startFixture({ metrics: { path: '/metrics' } }, {}, (io) => {
			// The app's own /metrics, on the same HTTP server.
			io.httpServer.removeAllListeners('request');
			io.httpServer.on('request', (req, res) =>
				req.url === '/metrics' ? res.writeHead(200).end('app_metric 1\n') : res.writeHead(404).end()
			);
		});
		await vi.waitFor(() => expect(error).toHaveBeenCalled(), { timeout: 10_000 });
		expect(error.mock.calls[0][0]).toContain(
			'sockscope: /metrics already answers on this server (HTTP 200), so Sockscope leaves it to the app and serves no metrics there. Use `metrics: { register }`'
		);
		expect(await (await fetch(`${fx.url}/metrics`)).text()).toBe('app_metric 1\n');
	});

	test("says the app guards the path when the app's middleware answers 401 there", async () => {
		const error = vi.spyOn(console, 'error').mockImplementation(() => {});
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		fx = await startFixture({ metrics: { path: '/metrics' } }, {}, (io) => {
			// An app-wide auth middleware: every path without credentials is a 401.
			io.httpServer.removeAllListeners('request');
			io.httpServer.on('request', (_req, res) => res.writeHead(401).end());
		});
		await vi.waitFor(() => expect(error).toHaveBeenCalled(), { timeout: 10_000 });
		expect(error.mock.calls[0][0]).toContain(
			'sockscope: the app guards /metrics (HTTP 401 without credentials), so Sockscope leaves it to the app and serves no metrics there. Use `metrics: { register }`'
		);
		expect((await fetch(`${fx.url}/metrics`)).status).toBe(401);
		// The dashboard's automatic route answers before that guard: the operator is told how to put it behind.
		await vi.waitFor(() => expect(warn).toHaveBeenCalled(), { timeout: 10_000 });
		expect(warn.mock.calls[0][0]).toBe(
			"sockscope: the app guards /sockscope/ (HTTP 401 without credentials), but Sockscope's dashboard route answers before the app's middleware, so that guard does not apply to the dashboard. To put the dashboard behind it, set `dashboard: false` and mount `agent.dashboardHandler()` behind your middleware."
		);
	});

	test('serves its metrics there when the app answers 404', async () => {
		const error = vi.spyOn(console, 'error').mockImplementation(() => {});
		fx = await startFixture({ metrics: { path: '/metrics' } });
		expect(await (await fetch(`${fx.url}/metrics`)).text()).toContain('socketio_sockets');
		expect(error).not.toHaveBeenCalled();
	});
});
