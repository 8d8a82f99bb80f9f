/**
 * A real `redis-server` on a free loopback port, in a temporary directory, with persistence off:
 * what `sockscope cluster` starts when no `REDIS_URL` is given, and what the cluster tests use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
	url: string;
	port: number;
	/** Stops the server and removes its directory. */
	stop(): Promise<void>;
	/** Starts it again, empty, on the same port (after `stop()` too). */
	restart(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'sockscope-redis-'));
	let child: ChildProcess | undefined;

	async function start(): Promise<void> {
		mkdirSync(dir, { recursive: true });
		const args = [
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir
		];
		// Its own process group: Ctrl-C must not end Redis before the nodes using it have closed;
		// `stop()` ends it after them, and the exit hook if the process ends another way.
		const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		const orphaned = () => proc.kill('SIGTERM');
		process.once('exit', orphaned);
		proc.once('exit', () => process.off('exit', orphaned));
		child = proc;
		await new Promise<void>((resolve, reject) => {
			let output = '';
			const onData = (chunk: Buffer) => {
				output += chunk;
				if (!output.includes('Ready to accept connections')) return;
				proc.stdout!.off('data', onData);
				proc.stdout!.resume();
				resolve();
			};
			proc.stdout!.on('data', onData);
			proc.once('error', reject);
			proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
		});
	}

	async function stop(): Promise<void> {
		const proc = child;
		child = undefined;
		// Ended already: by a signal (Ctrl-C reaches the whole process group) or on its own.
		if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
		const exited = new Promise((resolve) => proc.once('exit', resolve));
		proc.kill('SIGTERM');
		await exited;
	}

	await start();
	return {
		url: `redis://127.0.0.1:${port}`,
		port,
		stop: async () => {
			await stop();
			rmSync(dir, { recursive: true, force: true });
		},
		async restart() {
			await stop();
			await start();
		}
	};
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}
