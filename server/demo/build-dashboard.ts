/**
 * Builds the dashboard (`vite build` into `build/`) when `build/index.html` is missing or older
 * than any of its sources, so `npm start` serves a current dashboard without a build step of its
 * own, and starts at once when nothing changed.
 */
import { spawn } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What the build reads: a change to any of these makes `build/` stale. */
const SOURCES = ['src', 'static', 'server/protocol', 'svelte.config.js', 'vite.config.ts'];
const OUTPUT_TAIL_LINES = 30;

export type BuildOutcome = 'fresh' | 'built' | 'failed';

export async function isStale(root = PROJECT_ROOT): Promise<boolean> {
	const built = await mtime(join(root, 'build/index.html'));
	if (built === undefined) return true;
	for (const source of SOURCES) {
		if ((await newest(join(root, source))) > built) return true;
	}
	return false;
}

/**
 * Runs `vite build` when stale. Vite's output is shown only when the build fails; `signal` stops a
 * build in progress (Ctrl-C during startup).
 */
export async function ensureDashboard(options: {
	root?: string;
	log: (line: string) => void;
	signal?: AbortSignal;
}): Promise<BuildOutcome> {
	const { root = PROJECT_ROOT, log, signal } = options;
	if (!(await isStale(root))) return 'fresh';
	log('Building the dashboard (build/ is missing or older than its sources)…');
	const { code, output } = await run(
		process.execPath,
		[await viteBin(root), 'build'],
		root,
		signal
	);
	if (code === 0) return 'built';
	if (!signal?.aborted) {
		log(
			`The dashboard build failed (exit ${code}); the chat still runs. Last lines of vite's output:`
		);
		for (const line of output.split('\n').slice(-OUTPUT_TAIL_LINES)) log(`  ${line}`);
	}
	return 'failed';
}

async function viteBin(root: string): Promise<string> {
	const manifest = createRequire(join(root, 'package.json')).resolve('vite/package.json');
	const { bin } = JSON.parse(await readFile(manifest, 'utf8')) as { bin: { vite: string } };
	return join(dirname(manifest), bin.vite);
}

function run(command: string, args: string[], cwd: string, signal?: AbortSignal) {
	return new Promise<{ code: number | null; output: string }>((resolve) => {
		let output = '';
		const child = spawn(command, args, { cwd, signal, stdio: ['ignore', 'pipe', 'pipe'] });
		const collect = (chunk: Buffer) => {
			// Only the tail is ever shown; keep memory bounded however chatty the build is.
			output = (output + chunk.toString()).slice(-20_000);
		};
		child.stdout.on('data', collect);
		child.stderr.on('data', collect);
		child.on('error', (err) => {
			output += `\n${err.message}`;
		});
		child.on('close', (code) => resolve({ code, output }));
	});
}

async function mtime(path: string): Promise<number | undefined> {
	try {
		return (await stat(path)).mtimeMs;
	} catch {
		return undefined;
	}
}

/** The newest modification time of a file or of any file below a directory; 0 if absent. */
async function newest(path: string): Promise<number> {
	const info = await stat(path).catch(() => undefined);
	if (!info) return 0;
	if (!info.isDirectory()) return info.mtimeMs;
	let latest = info.mtimeMs;
	for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
		if (entry.isFile())
			latest = Math.max(latest, (await mtime(join(entry.parentPath, entry.name))) ?? 0);
	}
	return latest;
}
