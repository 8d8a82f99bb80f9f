/**
 * An app bundled with esbuild, as apps are for containers and serverless: `sockscope` inlined in
 * the bundle (as CommonJS, and as an ES module), or kept external. Bundled, the agent's own
 * file is the bundle, so the dashboard's files and bcryptjs (which the password worker loads by
 * path) must be found from the package as installed beside it; the tests serve the dashboard and
 * log a dashboard in, which runs the worker. A bundle deployed without the package answers the
 * dashboard's path with what to do, not with a repository's build command.
 */
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { hashPassword } from '../../server/agent/index.js';
import type { Snapshot } from '../../server/protocol/models.js';
import { io } from 'socket.io-client';
import { waitFor } from '../support/util.js';
import {
	APP,
	installApp,
	INSTALL_TIMEOUT,
	packTarball,
	run,
	startApp,
	type Packed
} from './tarball.js';

/** ws' optional native helpers: absent, as in most installs, and loaded only if present. */
const OPTIONAL = ['--external:bufferutil', '--external:utf-8-validate'];

const BUNDLES = {
	'sockscope inlined, CommonJS bundle': {
		out: 'dist/server.cjs',
		flags: ['--format=cjs', ...OPTIONAL]
	},
	'sockscope inlined, ES module bundle': {
		out: 'dist/server.mjs',
		// The usual banner of ES module bundles for node: the CommonJS dependencies inside (debug,
		// ws) call require, which an ES module has not.
		flags: [
			'--format=esm',
			"--banner:js=import { createRequire as bannerRequire } from 'node:module'; const require = bannerRequire(import.meta.url);",
			...OPTIONAL
		]
	},
	'sockscope external, CommonJS bundle': {
		out: 'dist/external.cjs',
		flags: ['--format=cjs', '--external:sockscope', ...OPTIONAL]
	}
} as const;

let packed: Packed;
let app: string;
let opsHash: string;

beforeAll(async () => {
	packed = await packTarball();
	[app, opsHash] = await Promise.all([
		installApp(packed.work, { type: 'module' }, [packed.tarball, 'socket.io@~4.8.0', 'esbuild']),
		hashPassword('ops-password', 4)
	]);
	await writeFile(join(app, 'server.js'), APP);
}, INSTALL_TIMEOUT);

afterAll(async () => {
	await packed?.dispose();
});

async function bundle(name: keyof typeof BUNDLES): Promise<string> {
	const { out, flags } = BUNDLES[name];
	await run(
		join(app, 'node_modules/.bin/esbuild'),
		['server.js', '--bundle', '--platform=node', '--target=node20', `--outfile=${out}`, ...flags],
		{ cwd: app }
	);
	return out;
}

describe.each(Object.keys(BUNDLES) as (keyof typeof BUNDLES)[])('%s', (name) => {
	test('serves the dashboard, and a dashboard logs in', async () => {
		const out = await bundle(name);
		// Run from the bundle's folder: nothing may depend on the working directory being the app's.
		const { base } = await startApp([join(app, out)], join(app, 'dist'), { OPS_HASH: opsHash });
		const page = await fetch(`${base}/sockscope/`);
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('<html');

		const dashboard = io(`${base}/sockscope`, {
			auth: { user: 'ops', password: 'ops-password' },
			transports: ['websocket'],
			reconnection: false
		});
		onTestFinished(() => void dashboard.disconnect());
		// Listening before the connection: the snapshot can arrive with the connect packet.
		const snapshot = await Promise.race([
			waitFor<Snapshot>(dashboard, 'state:snapshot', 20_000),
			waitFor<Error>(dashboard, 'connect_error', 20_000).then((err) => {
				throw new Error(`login refused: ${err.message}`);
			})
		]);
		expect(snapshot.principal).toMatchObject({ name: 'ops', role: 'admin' });
	});
});

test('a bundle deployed without the package says, on the dashboard path, how to get its files', async () => {
	const out = await bundle('sockscope inlined, CommonJS bundle');
	// A folder with no node_modules anywhere above it: only the bundle.
	const alone = join(packed.work, 'deployed');
	await mkdir(alone);
	await cp(join(app, out), join(alone, 'server.cjs'));
	const { base } = await startApp(['server.cjs'], alone, { OPS_HASH: opsHash });
	const page = await fetch(`${base}/sockscope/`);
	expect(page.status).toBe(503);
	const text = await page.text();
	expect(text).toContain('npm install sockscope');
	expect(text).toContain('keep `sockscope` external');
	expect(text).not.toContain('build:dashboard');
});
