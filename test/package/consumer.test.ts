/**
 * The package as an operator gets it: `npm pack` (once per run), the tarball installed into fresh
 * apps beside socket.io 4.8 and 4.7, then what a user does there — start the app, open the
 * dashboard, log in, require it from CommonJS, type-check against it, run its command. `npm test`
 * builds first; the pack itself skips the build scripts so that the run builds once.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import type { Snapshot } from '../../server/protocol/models.js';
import { io } from 'socket.io-client';
import { waitFor } from '../support/util.js';
import { APP, installApp, packTarball, ROOT, run, startApp, type Packed } from './tarball.js';

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const INSTALL_TIMEOUT = 240_000;
/**
 * What installing Sockscope may add to an app's `node_modules` (`du`, beyond socket.io and
 * prom-client, which the app has anyway): issue #27's budget, 3 MB.
 */
const ADDED_BUDGET_BYTES = 3_000_000;
/** Nothing of the repository's tooling may reach an operator's production tree. */
const FORBIDDEN = ['tsx', 'esbuild', 'socket.io-client', 'better-sqlite3', 'vite', 'typescript'];

const SOCKET_IO = { '4.8': '~4.8.0', '4.7': '~4.7.0' } as const;
/**
 * prom-client, a peer dependency (`>=14.2.0 <16`): its newest major beside the newest socket.io,
 * its oldest beside the older one, so that both ends of the range are installed and scraped.
 */
const PROM_CLIENT = { '4.8': '^15.1.3', '4.7': '~14.2.0' } as const;

let pack: Packed;
let packed: string[];
/** The two apps, installed at once while the tarball's contents are checked. */
let apps: Record<keyof typeof SOCKET_IO, Promise<string>>;

beforeAll(async () => {
	pack = await packTarball();
	packed = pack.files;
	apps = {
		'4.8': createApp(SOCKET_IO['4.8'], PROM_CLIENT['4.8']),
		'4.7': createApp(SOCKET_IO['4.7'], PROM_CLIENT['4.7'])
	};
	// Settled here so that a failed install is not an unhandled rejection in a later test.
	apps['4.7'].catch(() => {});
}, 120_000);

afterAll(async () => {
	await pack?.dispose();
});

test('the tarball holds the compiled agent, its types, the dashboard build, README, the docs pages, the Grafana board, the alert rules and LICENSE, and nothing else', () => {
	expect(packed).toEqual(
		expect.arrayContaining([
			'LICENSE',
			'README.md',
			'docs/options.md',
			'package.json',
			'dist/agent/index.js',
			'dist/agent/index.d.ts',
			'dist/protocol/index.d.ts',
			'dist/cjs/package.json',
			'dist/cjs/agent/index.js',
			'dist/cjs/agent/index.d.ts',
			'dist/cjs/protocol/index.js',
			'dist/cjs/protocol/index.d.ts',
			'dist/bin/sockscope.js',
			'build/index.html',
			'grafana/sockscope.json',
			'prometheus/sockscope-alerts.yml'
		])
	);
	const stray = packed.filter(
		(path) =>
			!/^(LICENSE|README\.md|package\.json)$/.test(path) &&
			!/^docs\/[^/]+\.md$/.test(path) &&
			!/^(grafana\/sockscope\.json|prometheus\/sockscope-alerts\.yml)$/.test(path) &&
			!/^dist\/(cjs\/)?(agent|protocol)\/.+\.(c?js|d\.c?ts)$/.test(path) &&
			!/^dist\/bin\/.+\.js$/.test(path) &&
			path !== 'dist/cjs/package.json' &&
			!path.startsWith('build/')
	);
	expect(stray).toEqual([]);
	expect(packed.filter((path) => /\.map$|(?<!\.d)\.ts$|demo/.test(path))).toEqual([]);
});

/** A fresh app with the tarball, socket.io and prom-client at these versions installed as a user would. */
function createApp(socketIo: string, promClient: string): Promise<string> {
	return installApp(pack.work, { type: 'module' }, [
		pack.tarball,
		`socket.io@${socketIo}`,
		`prom-client@${promClient}`
	]);
}

/** Every package directory in the app's tree (production only: the app has no dev dependencies). */
async function installedPaths(dir: string): Promise<string[]> {
	const { stdout } = await run('npm', ['ls', '--all', '--parseable', '--omit=dev'], {
		cwd: dir,
		maxBuffer: 64 << 20
	});
	return stdout.split('\n').filter(Boolean);
}

/**
 * Where the packages matched by an `npm query` selector are installed in the app, relative to it
 * (`a b`: b is a dependency of a, at any depth).
 */
async function locations(dir: string, selector: string): Promise<string[]> {
	const { stdout } = await run('npm', ['query', selector], { cwd: dir, maxBuffer: 64 << 20 });
	return (JSON.parse(stdout) as { location: string }[]).map((node) => node.location);
}

/**
 * What Sockscope adds to the app: its own package and every package its dependencies bring, less
 * socket.io, prom-client and what they bring (a peer's tree is the app's, installed either way).
 * `du` counts each package's folder without the `node_modules` inside it, which holds other
 * packages of the list.
 */
async function addedBySockscope(dir: string): Promise<{ bytes: number; packages: string[] }> {
	const host = new Set(
		await locations(
			dir,
			'[name="socket.io"], [name="socket.io"] *, [name="prom-client"], [name="prom-client"] *'
		)
	);
	const packages = (await locations(dir, '[name="sockscope"], [name="sockscope"] *')).filter(
		(location) => !host.has(location)
	);
	const { stdout } = await run('du', ['-s', '-c', '-B1', '--exclude=node_modules', ...packages], {
		cwd: dir
	});
	const total = /^(\d+)\s+total$/m.exec(stdout)?.[1];
	return { bytes: Number(total), packages };
}

const TYPED = `
import { Server } from 'socket.io';
import { instrument, type InstrumentOptions } from 'sockscope';
import type { Snapshot } from 'sockscope/protocol';

const io = new Server();
const options: InstrumentOptions = { auth: false, label: (socket) => socket.id };
const agent = instrument(io, options);
const nodeId: string = agent.nodeId;
let snapshot: Snapshot | undefined;
// @ts-expect-error auth is required
instrument(io, {});
// @ts-expect-error a misspelt option
instrument(io, { auth: false, dashbord: false });
export { nodeId, snapshot };
`;

const MODULE_FOR = { node16: 'node16', bundler: 'esnext', node: 'commonjs' } as const;

describe.each([
	// Every resolution once; with 4.7 the one that failed on two copies of socket.io (TS2345).
	['4.8', ['node16', 'bundler', 'node']],
	['4.7', ['node16']]
] as const)('installed beside socket.io %s', (label, resolutions) => {
	let app: string;

	beforeAll(async () => {
		app = await apps[label];
	}, INSTALL_TIMEOUT);

	test('the installed package runs nothing at install time', async () => {
		const manifest = JSON.parse(
			await readFile(join(app, 'node_modules/sockscope/package.json'), 'utf8')
		) as { scripts?: Record<string, string> };
		const install = ['preinstall', 'install', 'postinstall', 'prepare'];
		expect(Object.keys(manifest.scripts ?? {}).filter((name) => install.includes(name))).toEqual(
			[]
		);
	});

	test('it adds at most 3 MB to the app besides socket.io and prom-client', async () => {
		const { bytes, packages } = await addedBySockscope(app);
		expect(packages).toContain('node_modules/sockscope');
		expect(packages).not.toContain('node_modules/socket.io');
		expect(packages).not.toContain('node_modules/prom-client');
		expect(bytes, `${packages.join(', ')}: ${bytes} bytes`).toBeLessThanOrEqual(ADDED_BUDGET_BYTES);
	});

	test('the production tree has no loader, bundler, client or native build, and one socket.io', async () => {
		const paths = await installedPaths(app);
		const names = paths.map((path) => path.split(`node_modules${sep}`).at(-1));
		expect(names.filter((name) => FORBIDDEN.includes(name!))).toEqual([]);
		expect(names.filter((name) => name === 'socket.io')).toHaveLength(1);
	});

	test('the app serves the dashboard, and a login gets a snapshot', async () => {
		const bin = join(app, 'node_modules/.bin/sockscope');
		const { stdout } = await run(bin, ['hash-password', 'ops-password']);
		await writeFile(join(app, 'server.mjs'), APP);
		const { base } = await startApp(['server.mjs'], app, { OPS_HASH: stdout.trim() });

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
		const snapshot = await waitFor<Snapshot>(dashboard, 'state:snapshot', 20_000);
		expect(snapshot.principal).toMatchObject({ name: 'ops', role: 'admin' });
		expect(snapshot.node.socketIoVersion.startsWith(`${label}.`)).toBe(true);
	});

	test("the app's own prom-client (its major: oldest or newest supported) holds Sockscope's metrics, one copy in the tree", async () => {
		const names = (await installedPaths(app)).map((path) =>
			path.split(`node_modules${sep}`).at(-1)
		);
		expect(names.filter((name) => name === 'prom-client')).toHaveLength(1);
		await writeFile(
			join(app, 'metrics.mjs'),
			`
			import { createServer } from 'node:http';
			import { readFileSync } from 'node:fs';
			import { Server } from 'socket.io';
			import promClient from 'prom-client';
			import { instrument } from 'sockscope';

			const register = new promClient.Registry();
			new promClient.Counter({ name: 'app_requests_total', help: 'Requests', registers: [register] }).inc(2);
			const io = new Server(createServer());
			const agent = instrument(io, { auth: false, dashboard: false, metrics: { register } });
			const text = await register.metrics();
			const { version } = JSON.parse(readFileSync('node_modules/prom-client/package.json', 'utf8'));
			console.log(JSON.stringify({
				version,
				app: text.includes('app_requests_total 2'),
				sockets: text.includes('# TYPE socketio_sockets gauge'),
				acks: text.includes('# TYPE socketio_ack_latency_seconds histogram'),
				rtt: text.includes('socketio_heartbeat_rtt_seconds_bucket{le="0.05"} 0')
			}));
			await agent.close();
			io.close();
			`
		);
		const { stdout } = await run(process.execPath, ['metrics.mjs'], { cwd: app });
		const found = JSON.parse(stdout) as Record<string, unknown>;
		expect(found).toEqual({
			version: expect.stringMatching(label === '4.8' ? /^15\./ : /^14\./),
			app: true,
			sockets: true,
			acks: true,
			rtt: true
		});
	});

	test('CommonJS code requires its CommonJS build, without Node loading ES modules through require', async () => {
		await writeFile(
			join(app, 'require.cjs'),
			[
				"const { instrument, hashPassword } = require('sockscope');",
				"const { PROTOCOL_VERSION } = require('sockscope/protocol');",
				"const { relative } = require('node:path');",
				"console.log(typeof instrument, typeof hashPassword, typeof PROTOCOL_VERSION, relative(__dirname, require.resolve('sockscope')));"
			].join('\n')
		);
		// Off, Node's require(esm) cannot be what makes it load (Jest's module system never uses it).
		const { stdout } = await run(
			process.execPath,
			['--no-experimental-require-module', 'require.cjs'],
			{ cwd: app }
		);
		expect(stdout.trim()).toBe(
			`function function number ${join('node_modules/sockscope/dist/cjs/agent/index.js')}`
		);
	});

	test('audit.sqlite without better-sqlite3 says which package to install', async () => {
		const script = `
			import { Server } from 'socket.io';
			import { instrument } from 'sockscope';
			try { instrument(new Server(), { auth: false, dashboard: false, audit: { sqlite: 'audit.db' } }); } catch (err) { console.log(err.message); }`;
		const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
			cwd: app
		});
		expect(stdout.trim()).toBe(
			'option "audit.sqlite": needs better-sqlite3, an optional peer dependency of sockscope: run `npm install better-sqlite3` in your app'
		);
	});

	test(`its types resolve under moduleResolution ${resolutions.join(', ')}, with auth required and misspelt options caught`, async () => {
		await writeFile(join(app, 'typed.ts'), TYPED);
		const check = (resolution: keyof typeof MODULE_FOR) =>
			run(
				process.execPath,
				[
					TSC,
					'--noEmit',
					'--strict',
					'--moduleResolution',
					resolution,
					'--module',
					MODULE_FOR[resolution],
					'--target',
					'es2022',
					'typed.ts'
				],
				{ cwd: app }
			).then(
				() => `${resolution}: ok`,
				(err: { stdout: string }) => `${resolution}: ${err.stdout}`
			);
		const results = await Promise.all(resolutions.map(check));
		expect(results).toEqual(resolutions.map((r) => `${r}: ok`));
	}, 120_000);

	test('npx sockscope demo says where the demo lives', async () => {
		const result = await run(join(app, 'node_modules/.bin/sockscope'), ['demo']).catch(
			(err: { code: number; stderr: string }) => err
		);
		expect(result).toMatchObject({ code: 2 });
		expect((result as { stderr: string }).stderr).toMatch(/part of the demo.*\n.*npm start/);
	});
});
