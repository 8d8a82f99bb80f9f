/**
 * The `sockscope` command as a user runs it: `npm start` and `bin/sockscope.js`, as real processes.
 * `npm start` builds the dashboard only when `build/` is stale; `npm test` builds it first.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import { describe, expect, onTestFinished, test } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { request } from '../support/demo-fixture.js';
import { connectClient, freePort, socketsPerNode, waitFor } from '../support/util.js';
import { hasRedisServer } from '../support/redis.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/sockscope.js', import.meta.url));

/** Whether any process of the group led by `pid` is still alive. */
function groupAlive(pid: number): boolean {
	try {
		process.kill(-pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Everything the process prints, and the first match of `pattern` in it once printed. */
function output(child: ChildProcess) {
	let text = '';
	child.stdout?.on('data', (chunk) => (text += chunk));
	child.stderr?.on('data', (chunk) => (text += chunk));
	return {
		get text() {
			return text;
		},
		async match(pattern: RegExp): Promise<string> {
			await expect
				.poll(() => pattern.test(text) || child.exitCode !== null, { timeout: 150_000 })
				.toBe(true);
			const found = pattern.exec(text);
			if (!found)
				throw new Error(`exited (${child.exitCode}) without printing ${pattern}:\n${text}`);
			return found[1];
		}
	};
}

/**
 * A long-running command in its own process group, as in a terminal, killed with its group if the
 * test ends early. `interrupt()` is Ctrl-C: SIGINT to the group, then every process must be gone.
 */
function startService(command: string, args: string[]) {
	const child = spawn(command, args, {
		cwd: ROOT,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const pid = child.pid!;
	onTestFinished(() => {
		if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
	});
	const printed = output(child);
	return {
		printed,
		async interrupt() {
			const exited = once(child, 'exit');
			process.kill(-pid, 'SIGINT');
			await exited;
			await expect.poll(() => groupAlive(pid), { timeout: 5000 }).toBe(false);
		}
	};
}

describe('npm start', () => {
	test(
		'serves the chat page, the dashboard and sockets, and Ctrl-C ends every process',
		{ timeout: 180_000 },
		async () => {
			const port = await freePort();
			const demo = startService('npm', ['start', '--', '--bots', '0', '--port', String(port)]);
			const { printed } = demo;
			const chat = await printed.match(/^\s*Chat:\s+(\S+)/m);
			const dashboard = await printed.match(/^\s*Dashboard:\s+(\S+)/m);
			expect(chat).toBe(`http://localhost:${port}/`);
			expect(dashboard).toBe(`http://localhost:${port}/sockscope/`);

			const page = await fetch(chat);
			expect(page.status).toBe(200);
			expect(page.headers.get('content-type')).toMatch(/^text\/html/);
			expect(await page.text()).toContain('<script type="module" src="chat.js"></script>');
			const client: Socket = await connectClient(chat, { auth: { name: 'smoke' } });
			expect(await request(client, 'room:join', 'general')).toMatchObject({
				room: 'general',
				total: 1
			});
			// Served by the agent; soft, so that the shutdown below is checked either way.
			expect.soft((await fetch(dashboard)).status, 'GET /sockscope/').toBe(200);

			const clientGone = waitFor(client, 'disconnect');
			await demo.interrupt();
			await clientGone;
			expect(printed.text).toContain('SIGINT: stopping');
			expect(printed.text).not.toContain('exiting anyway');
		}
	);
});

describe('sockscope', () => {
	const run = promisify(execFile);

	test('hash-password prints a bcrypt hash of cost 10 for the password given', async () => {
		const { stdout } = await run(process.execPath, [BIN, 'hash-password', 'correct horse']);
		const hash = stdout.trim();
		expect(bcrypt.getRounds(hash)).toBe(10);
		expect(await bcrypt.compare('correct horse', hash)).toBe(true);
	});

	test('hash-password reads the password from piped stdin, printing only the hash', async () => {
		const child = spawn(process.execPath, [BIN, 'hash-password'], {
			stdio: ['pipe', 'pipe', 'pipe']
		});
		const printed = output(child);
		child.stdin.end('from stdin\n');
		const [code] = await once(child, 'exit');
		expect(code).toBe(0);
		expect(await bcrypt.compare('from stdin', printed.text.trim())).toBe(true);
	});

	test.runIf(hasRedisServer)(
		'cluster starts three nodes sharing one Redis, one dashboard sees all three, Ctrl-C ends every process',
		{ timeout: 180_000 },
		async () => {
			const cluster = startService('npm', [
				'run',
				'demo:cluster',
				'--',
				'--bots',
				'3',
				'--port',
				'0'
			]);
			const { printed } = cluster;
			await printed.match(/^\s*node-3:\s+Chat (\S+)/m);
			const dashboards = [...printed.text.matchAll(/Dashboard (\S+)\/sockscope\//g)].map(
				(m) => m[1]
			);
			expect(dashboards).toHaveLength(3);
			const password = await printed.match(/^\s+admin\s+(\S+)\s+admin,/m);
			const dashboard = await connectClient(`${dashboards[1]}/sockscope`, {
				auth: { user: 'admin', password }
			});
			const nodes = socketsPerNode(dashboard);
			await expect
				.poll(() => [...nodes.keys()].sort(), { timeout: 20_000 })
				.toEqual(['node-1', 'node-2', 'node-3']);
			// Three bots, one on each node.
			await expect
				.poll(() => [...nodes.values()].reduce((a, b) => a + b, 0), { timeout: 20_000 })
				.toBe(3);
			dashboard.disconnect();

			// The redis-server it started is gone with the group too.
			await cluster.interrupt();
			expect(printed.text).not.toContain('exiting anyway');
		}
	);

	test(
		'demo --agent admin-ui: instrumented by @socket.io/admin-ui, with our dashboard beside it',
		{ timeout: 180_000 },
		async () => {
			const demo = startService(process.execPath, [
				BIN,
				'demo',
				'--agent',
				'admin-ui',
				'--bots',
				'0',
				'--port',
				'0'
			]);
			const { printed } = demo;
			const dashboard = await printed.match(/^\s*Dashboard:\s+(\S+)/m);
			const password = await printed.match(/^\s+admin\s+(\S+)\s+admin,/m);
			expect(printed.text).not.toMatch(/^\s+viewer/m);
			expect((await fetch(dashboard)).status).toBe(200);
			// No Sockscope agent here: nothing tells the dashboard otherwise, so it detects admin-ui.
			expect((await fetch(`${dashboard}config.json`)).status).toBe(404);
			const base = dashboard.replace(/\/sockscope\/$/, '');
			// Listening before connecting: admin-ui sends `config` right behind the connect packet.
			const admin = connect(`${base}/admin`, {
				auth: { username: 'admin', password },
				transports: ['websocket'],
				forceNew: true,
				reconnection: false
			});
			const config = await new Promise((resolve) => admin.once('config', resolve));
			expect(config).toMatchObject({ supportedFeatures: expect.arrayContaining(['ALL_EVENTS']) });
			admin.disconnect();
			await demo.interrupt();
		}
	);

	test('a bad option fails with usage', async () => {
		const failure = await run(process.execPath, [BIN, 'demo', '--port', 'eighty']).catch(
			(err) => err
		);
		expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('--port must be') });
		expect(failure.stderr).toContain('Usage: sockscope');
	});
});
