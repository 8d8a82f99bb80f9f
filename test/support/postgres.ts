/**
 * A real, throwaway PostgreSQL for the cluster suites, started like `redis-server` is
 * (server/demo/redis-server.ts): its own data directory in a temporary folder (`initdb`), a free
 * loopback port, its unix socket in that folder, durability off. Debian's server binaries live in
 * /usr/lib/postgresql/<version>/bin, off the PATH; `PG_BIN` names another folder.
 *
 * PostgreSQL refuses to run as root, and tests here and on CI run as root: the server then runs as
 * the `postgres` user that Debian's package creates (or `nobody`), with Node's own `uid`/`gid`
 * spawn options rather than `su`/`runuser`, so that the child is the server itself and a signal
 * reaches it.
 *
 * Without the binaries, suites skip with one line saying how to install them, except on CI, where
 * a missing server is an error rather than a skipped suite.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';

const INSTALL_HINT = 'PostgreSQL not found: apt-get install -y postgresql';

/** The folder of `initdb` and `postgres`: PG_BIN, or Debian's newest version. */
function binDir(): string | undefined {
	if (process.env.PG_BIN) return process.env.PG_BIN;
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const versions = readdirSync(root)
		.filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? join(root, versions[0], 'bin') : undefined;
}

const BIN = binDir();
export const hasPostgres = BIN !== undefined && existsSync(join(BIN, 'initdb'));
let warned = false;

/** `describe` when PostgreSQL is installed; otherwise `describe.skip`, said once, or a throw on CI. */
export function describeWithPostgres(name: string, body: () => void): void {
	if (hasPostgres) {
		describe(name, body);
		return;
	}
	if (process.env.CI) throw new Error(INSTALL_HINT);
	if (!warned) console.warn(INSTALL_HINT);
	warned = true;
	describe.skip(name, body);
}

export interface PostgresServer {
	/** Connection settings for `pg`'s `Pool`/`Client`. */
	config: { host: string; port: number; user: string; database: string };
	port: number;
	/** Stops the server and removes its directory. */
	stop(): Promise<void>;
	/** Stops it (ending every connection) and starts it again on the same port, data kept. */
	restart(): Promise<void>;
}

/** The user the server runs as: the current one, or when that is root, an unprivileged one. */
function serverUser(): { uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	for (const name of ['postgres', 'nobody']) {
		const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
		const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
		if (uid.status === 0 && gid.status === 0)
			return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
	}
	throw new Error('running as root, and no postgres or nobody user to run PostgreSQL as');
}

export async function startPostgres(): Promise<PostgresServer> {
	if (!BIN) throw new Error(INSTALL_HINT);
	const bin = BIN;
	const user = serverUser();
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'sockscope-pg-'));
	const data = join(dir, 'data');
	if (user) chownSync(dir, user.uid, user.gid);
	const as = user ? { uid: user.uid, gid: user.gid } : {};

	const init = spawnSync(
		join(bin, 'initdb'),
		['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
		{ encoding: 'utf8', cwd: dir, ...as }
	);
	if (init.status !== 0) {
		rmSync(dir, { recursive: true, force: true });
		throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
	}

	let child: ChildProcess | undefined;
	async function start(): Promise<void> {
		const args = [
			'-D',
			data,
			'-p',
			String(port),
			'-h',
			'127.0.0.1',
			'-k',
			dir,
			// A throwaway server: nothing it holds must survive a crash.
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
			'-c',
			'max_connections=100'
		];
		// Its own process group: Ctrl-C must not end it before the nodes using it have closed.
		const proc = spawn(join(bin, 'postgres'), args, {
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
			cwd: dir,
			...as
		});
		const orphaned = () => proc.kill('SIGQUIT');
		process.once('exit', orphaned);
		proc.once('exit', () => process.off('exit', orphaned));
		child = proc;
		await new Promise<void>((resolve, reject) => {
			let output = '';
			const onData = (chunk: Buffer) => {
				output += chunk;
				if (!output.includes('ready to accept connections')) return;
				proc.stderr!.off('data', onData);
				proc.stderr!.resume();
				resolve();
			};
			proc.stderr!.on('data', onData);
			proc.stdout!.resume();
			proc.once('error', reject);
			proc.once('exit', (code) => reject(new Error(`postgres exited with ${code}: ${output}`)));
		});
	}

	async function stop(): Promise<void> {
		const proc = child;
		child = undefined;
		if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
		const exited = new Promise((resolve) => proc.once('exit', resolve));
		// Fast shutdown: ends the sessions (57P01 on each client) instead of waiting for them.
		proc.kill('SIGINT');
		await exited;
	}

	await start();
	return {
		config: { host: '127.0.0.1', port, user: 'postgres', database: 'postgres' },
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
