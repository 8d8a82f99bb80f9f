/**
 * A real nginx (Debian's `/usr/sbin/nginx`) as a reverse proxy on loopback, run in the
 * foreground from a temporary folder (no root, no system config), stopped with the test.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { describeBrowser } from './browser.js';
import { freePort } from './util.js';

export const NGINX = '/usr/sbin/nginx';
export const hasNginx = existsSync(NGINX);

/** A browser suite when nginx is installed; otherwise skipped with one line (a failure under CI). */
export function describeProxy(name: string, body: () => void): void {
	if (hasNginx) return describeBrowser(name, body);
	if (process.env.CI) throw new Error('nginx not found: apt-get install -y nginx');
	console.warn('nginx not found: apt-get install -y nginx');
	describe.skip(name, body);
}

export interface Proxy {
	url: string;
	close(): Promise<void>;
}

/**
 * nginx on a free loopback port, with `locations` (the `location` blocks, `$APP` standing for the
 * app's `host:port`) and websocket upgrades passed through.
 */
export async function startNginx(app: string, locations: string): Promise<Proxy> {
	const dir = await mkdtemp(join(tmpdir(), 'sockscope-nginx-'));
	const port = await freePort();
	const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
		.map((kind) => `${kind}_temp_path ${join(dir, kind)};`)
		.join('\n\t');
	await writeFile(
		join(dir, 'nginx.conf'),
		`daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log stderr warn;
events { worker_connections 256; }
http {
	access_log off;
	${temp}
	map $http_upgrade $connection_upgrade { default upgrade; '' close; }
	server {
		listen 127.0.0.1:${port};
		proxy_http_version 1.1;
		proxy_set_header Upgrade $http_upgrade;
		proxy_set_header Connection $connection_upgrade;
		proxy_set_header Host $host;
		${locations.replaceAll('$APP', app)}
	}
}
`
	);
	const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'], {
		stdio: ['ignore', 'ignore', 'pipe']
	});
	let stderr = '';
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	const exited = new Promise<never>((_, reject) =>
		child.once('exit', (code) => reject(new Error(`nginx exited (${code}): ${stderr}`)))
	);
	const url = `http://127.0.0.1:${port}`;
	// Ready once it answers: asked until then, each failure being a refused connection.
	const ready = (async () => {
		for (;;) {
			try {
				await fetch(url);
				return;
			} catch {
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
		}
	})();
	await Promise.race([ready, exited]);
	exited.catch(() => {});
	return {
		url,
		async close() {
			child.removeAllListeners('exit');
			if (child.exitCode === null) {
				child.kill();
				await new Promise((resolve) => child.once('exit', resolve));
			}
			await rm(dir, { recursive: true, force: true });
		}
	};
}
