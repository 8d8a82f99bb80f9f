/**
 * The dashboard and /metrics are served on the host's own HTTP server, beside its routes; the
 * metrics only to scrapers the operator's check lets through, when there is one.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFixture, type Fixture } from '../../support/agent-fixture.js';

describe('HTTP routes', () => {
	let f: Fixture;
	beforeAll(async () => {
		f = await startFixture({ dashboard: { path: '/ops/scope' }, metrics: { path: '/metrics' } });
	});
	afterAll(() => f?.close());

	test('serve the dashboard at its mount path', async () => {
		const redirect = await fetch(`${f.url}/ops/scope`, { redirect: 'manual' });
		expect(redirect.status).toBe(308);
		// Relative: behind a proxy that strips a prefix, the browser stays under the prefix.
		expect(redirect.headers.get('location')).toBe('scope/');
		const withQuery = await fetch(`${f.url}/ops/scope?server=x`, { redirect: 'manual' });
		expect(withQuery.headers.get('location')).toBe('scope/?server=x');
		const page = await fetch(`${f.url}/ops/scope/`);
		expect(page.status).toBe(200);
		expect(page.headers.get('content-type')).toContain('text/html');
		expect(await page.text()).toContain('<title>Sockscope</title>');
	});

	test('tell the dashboard where its namespace is and how to log in', async () => {
		const config = await (await fetch(`${f.url}/ops/scope/config.json`)).json();
		expect(config).toEqual({
			namespace: '/sockscope',
			socketPath: '/socket.io',
			auth: 'none',
			mount: '/ops/scope'
		});
	});

	test('leave every other path to the host', async () => {
		expect(await (await fetch(`${f.url}/ops/scopex`)).text()).toBe('host 404');
		expect(await (await fetch(`${f.url}/`)).text()).toBe('host 404');
		expect((await fetch(`${f.url}/ops/scope/missing.js`)).status).toBe(404);
		expect((await fetch(`${f.url}/ops/scope/../../etc/passwd`)).status).not.toBe(200);
	});

	test('mark every dashboard response: strict CSP, no framing, no sniffing', async () => {
		for (const path of ['/ops/scope/', '/ops/scope/config.json', '/ops/scope/missing.js']) {
			const res = await fetch(`${f.url}${path}`);
			expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
			expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
			expect(res.headers.get('x-frame-options')).toBe('DENY');
			expect(res.headers.get('x-content-type-options')).toBe('nosniff');
		}
	});
});

describe('a metrics route with an authorize check', () => {
	let f: Fixture;
	beforeAll(async () => {
		f = await startFixture({
			metrics: {
				path: '/metrics',
				authorize: async (req) => {
					if (req.headers['x-break'] === 'yes') throw new Error('check failed');
					return req.headers.authorization === 'Bearer scrape-token';
				}
			}
		});
	});
	afterAll(() => f?.close());

	const scrape = (headers: Record<string, string> = {}) => fetch(`${f.url}/metrics`, { headers });

	test('answers 401 and no figures to a scraper it refuses', async () => {
		const refused: Record<string, string>[] = [
			{},
			{ authorization: 'Bearer guess' },
			{ authorization: 'Bearer scrape-token', 'x-break': 'yes' }
		];
		for (const headers of refused) {
			const res = await scrape(headers);
			expect(res.status).toBe(401);
			expect(await res.text()).not.toContain('socketio_');
		}
	});

	test('serves the exposition to a scraper it lets through', async () => {
		const res = await scrape({ authorization: 'Bearer scrape-token' });
		expect(res.status).toBe(200);
		expect(await res.text()).toContain('socketio_sockets');
	});
});

describe('dashboard.prefix', () => {
	test("tells the dashboard the proxy's prefix, for proxies that rename the dashboard's path", async () => {
		const f = await startFixture({ dashboard: { path: '/sockscope', prefix: '/app2' } });
		try {
			const config = await (await fetch(`${f.url}/sockscope/config.json`)).json();
			expect(config).toMatchObject({
				socketPath: '/socket.io',
				mount: '/sockscope',
				prefix: '/app2'
			});
		} finally {
			await f.close();
		}
	});
});
