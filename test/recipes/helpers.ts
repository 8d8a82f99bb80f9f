/**
 * What every recipe test checks, as an operator would: the dashboard page is served on the app's
 * port, and a logged-in dashboard counts the sockets the app has (on every node of a cluster).
 */
import type { Socket } from 'socket.io-client';
import { expect, onTestFinished } from 'vitest';
import { hashPassword, type AuthOptions } from '../../server/agent/index.js';
import { connectClient, socketsPerNode } from '../support/util.js';

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
export async function expectDashboardSees(base: string, sockets: number, nodes = 1): Promise<void> {
	const page = await fetch(`${base}/sockscope/`);
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
