/**
 * What the recipe tests (test/recipes/) and the packed package's apps (test/package/) check, as an
 * operator would: the dashboard page is served on the app's port, and a logged-in dashboard counts
 * the sockets the app has (on every node of a cluster).
 */
import type { Socket } from 'socket.io-client';
import { expect, onTestFinished } from 'vitest';
import { hashPassword, type AuthOptions } from '../../server/agent/index.js';
import { connectClient, socketsPerNode } from './util.js';

export const OPS_PASSWORD = 'ops-password';

/** One admin login, as the recipes in docs/recipes.md configure it (a cheap bcrypt cost for the test). */
export async function opsAuth(): Promise<AuthOptions> {
	return {
		users: [{ name: 'ops', passwordHash: await hashPassword(OPS_PASSWORD, 4), role: 'admin' }]
	};
}

/** `count` clients of the app's default namespace, closed when the test ends. */
export async function connectClients(base: string, count: number, transports = ['websocket']) {
	const clients: Socket[] = [];
	onTestFinished(() => clients.forEach((c) => c.disconnect()));
	for (let i = 0; i < count; i++) clients.push(await connectClient(base, { transports }));
	return clients;
}

/** Asserts the dashboard is served at `/sockscope/` and, once logged in, sees `sockets` on `nodes` nodes. */
export async function expectDashboardSees(
	base: string,
	sockets: number,
	nodes = 1,
	headers: Record<string, string> = {}
): Promise<void> {
	const page = await fetch(`${base}/sockscope/`, { headers });
	expect(page.status).toBe(200);
	expect(await page.text()).toContain('<html');

	const dashboard = await connectClient(`${base}/sockscope`, {
		auth: { user: 'ops', password: OPS_PASSWORD }
	});
	onTestFinished(() => void dashboard.disconnect());
	const perNode = socketsPerNode(dashboard);
	await expect
		.poll(
			() => ({ nodes: perNode.size, sockets: [...perNode.values()].reduce((a, b) => a + b, 0) }),
			{
				timeout: 20_000
			}
		)
		.toEqual({ nodes, sockets });
}

/** The login of the recipes' app-wide guard (its staff, not the dashboard's users). */
export const STAFF = { username: 'staff', password: 'staff-secret' };

/** The Basic credentials of the recipes' app-wide guard, as a browser sends them once asked. */
export const APP_CREDENTIALS = `Basic ${Buffer.from(`${STAFF.username}:${STAFF.password}`).toString('base64')}`;

/**
 * Asserts that the dashboard mounted with `dashboardHandler()` at `/sockscope` sits behind the
 * app's guard: without the app's credentials, its page, files and config are refused (401);
 * with them, the page, the script it loads and the config are served, and a logged-in dashboard
 * sees `sockets`.
 */
export async function expectGuardedDashboard(base: string, sockets: number): Promise<void> {
	const withCredentials = { headers: { authorization: APP_CREDENTIALS } };
	for (const path of ['/sockscope', '/sockscope/', '/sockscope/config.json']) {
		expect((await fetch(`${base}${path}`, { redirect: 'manual' })).status, path).toBe(401);
	}
	const redirect = await fetch(`${base}/sockscope`, { ...withCredentials, redirect: 'manual' });
	expect(redirect.status).toBe(308);
	expect(redirect.headers.get('location')).toBe('sockscope/');
	const html = await (await fetch(`${base}/sockscope/`, withCredentials)).text();
	expect(html).toContain('<html');
	const script = /(?:src|href)="(\.\/_app\/[^"]+\.js)"/.exec(html)?.[1];
	expect(script).toBeDefined();
	const asset = new URL(script!, `${base}/sockscope/`);
	expect((await fetch(asset)).status).toBe(401);
	expect((await fetch(asset, withCredentials)).status).toBe(200);
	const config = await (await fetch(`${base}/sockscope/config.json`, withCredentials)).json();
	expect(config).toMatchObject({
		namespace: '/sockscope',
		socketPath: '/socket.io',
		mount: '/sockscope'
	});
	await expectDashboardSees(base, sockets, 1, withCredentials.headers);
}
