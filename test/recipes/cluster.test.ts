/**
 * The node:cluster recipe as real processes: a primary with @socket.io/sticky and workers joined
 * by @socket.io/cluster-adapter. A dashboard on any worker sees every worker and all the sockets.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, onTestFinished, test } from 'vitest';
import { hashPassword } from '../../server/agent/index.js';
import { connectClients, expectDashboardSees, OPS_PASSWORD } from '../support/mounted-dashboard.js';

const APP = fileURLToPath(new URL('./cluster-app.ts', import.meta.url));
const WORKERS = 2;

test(
	'node:cluster with sticky sessions and the cluster adapter: one view over every worker',
	{ timeout: 60_000 },
	async () => {
		const child = spawn(process.execPath, ['--import', 'tsx', APP], {
			detached: true,
			stdio: ['ignore', 'pipe', 'inherit'],
			env: {
				...process.env,
				WORKERS: String(WORKERS),
				SOCKSCOPE_HASH: await hashPassword(OPS_PASSWORD, 4),
				SOCKSCOPE_SECRET: 'a-secret-shared-by-every-worker'
			}
		});
		onTestFinished(() => {
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {
				// Already gone.
			}
		});
		let out = '';
		child.stdout!.on('data', (chunk) => (out += chunk));
		await expect.poll(() => /port (\d+)/.test(out), { timeout: 30_000 }).toBe(true);
		const base = `http://127.0.0.1:${/port (\d+)/.exec(out)![1]}`;

		// Polling first, as by default: sticky sessions keep each client on its worker.
		await connectClients(base, 5, ['polling', 'websocket']);
		await expectDashboardSees(base, 5, WORKERS);
	}
);
