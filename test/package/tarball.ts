/**
 * The packed package and fresh apps to install it into, shared by the tests of test/package/.
 * Each test file packs once (`npm pack --ignore-scripts`: `npm test` has already built) and
 * installs its apps from the npm registry into folders of its own, removed when it ends.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { onTestFinished } from 'vitest';

export const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const INSTALL_TIMEOUT = 300_000;

/**
 * The README's set-up as an app: one admin whose hash comes from `OPS_HASH`, the dashboard on its
 * server; it prints `port N` once listening (see `startApp`).
 */
export const APP = `
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { instrument } from 'sockscope';

const httpServer = createServer((req, res) => res.writeHead(404).end('app 404'));
const io = new Server(httpServer);
instrument(io, {
	auth: { users: [{ name: 'ops', passwordHash: process.env.OPS_HASH, role: 'admin' }] }
});
httpServer.listen(0, '127.0.0.1', () => console.log('port ' + httpServer.address().port));
`;

export interface Packed {
	work: string;
	tarball: string;
	files: string[];
	dispose(): Promise<void>;
}

export async function packTarball(): Promise<Packed> {
	for (const built of [
		'dist/agent/index.js',
		'dist/cjs/agent/index.js',
		'dist/bin/sockscope.js',
		'build/index.html'
	]) {
		if (!existsSync(join(ROOT, built)))
			throw new Error(`${built} is missing: run npm run build first`);
	}
	const work = await mkdtemp(join(tmpdir(), 'sockscope-package-'));
	const { stdout } = await run(
		'npm',
		['pack', '--json', '--ignore-scripts', '--pack-destination', work],
		{ cwd: ROOT, maxBuffer: 64 << 20 }
	);
	const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
	return {
		work,
		tarball: join(work, info.filename),
		files: info.files.map((f) => f.path),
		dispose: () => rm(work, { recursive: true, force: true })
	};
}

/** A fresh app under `work`: its package.json, then `npm install` of `packages` as a user would. */
export async function installApp(
	work: string,
	manifest: Record<string, unknown>,
	packages: string[]
): Promise<string> {
	const dir = await mkdtemp(join(work, 'app-'));
	await writeFile(
		join(dir, 'package.json'),
		JSON.stringify({ name: 'consumer-app', private: true, ...manifest })
	);
	await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packages], {
		cwd: dir,
		maxBuffer: 64 << 20
	});
	return dir;
}

/**
 * Starts `node args…` in `cwd` and resolves with the base URL of the app once it prints
 * `port N`; the process ends with the test. Its stderr is collected for messages the test reads.
 */
export async function startApp(
	args: string[],
	cwd: string,
	env: Record<string, string> = {}
): Promise<{ base: string; stderr: () => string }> {
	const child = spawn(process.execPath, args, {
		cwd,
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	onTestFinished(() => void child.kill());
	let stderr = '';
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	const lines = createInterface({ input: child.stdout! });
	const exited = once(child, 'exit').then(([code]) => {
		throw new Error(`the app exited (${code}) before listening: ${stderr}`);
	});
	const listening = (async () => {
		for await (const line of lines) {
			const port = /^port (\d+)$/.exec(line)?.[1];
			if (port) return `http://127.0.0.1:${port}`;
		}
		throw new Error(`the app printed no port: ${stderr}`);
	})();
	const base = await Promise.race([listening, exited]);
	return { base, stderr: () => stderr };
}
