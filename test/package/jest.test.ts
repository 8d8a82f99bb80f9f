/**
 * A CommonJS app that tests its server with Jest, as NestJS's default set-up does: Jest's own
 * module system loads `sockscope` through `require` (it does not use Node's `require(esm)`), so
 * this holds only with a real CommonJS build. Jest 29 with ts-jest (TypeScript compiled to
 * CommonJS, types checked against the CommonJS types) and Jest 30 with babel-jest's defaults
 * (plain JavaScript). In each, the app's test instruments a server, fetches the dashboard page,
 * and logs a dashboard in.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { installApp, INSTALL_TIMEOUT, packTarball, run, type Packed } from './tarball.js';

/**
 * The app's test, as an app author writes it. `typed` gives the TypeScript version: the same
 * lines, with the annotations strict mode asks for.
 */
function serverTest(typed: boolean): string {
	const t = (annotation: string) => (typed ? annotation : '');
	const imports = typed
		? `import { createServer, request, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { instrument, hashPassword, type Instrumentation } from 'sockscope';`
		: `const { createServer, request } = require('node:http');
const { Server } = require('socket.io');
const { io: connect } = require('socket.io-client');
const { instrument, hashPassword } = require('sockscope');`;
	return `${imports}

const get = (url${t(': string')})${t(': Promise<{ status?: number; body: string }>')} =>
	new Promise((resolve, reject) => {
		request(url, (res) => {
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (chunk${t(': string')}) => (body += chunk));
			res.on('end', () => resolve({ status: res.statusCode, body }));
		})
			.on('error', reject)
			.end();
	});

let httpServer${t(': HttpServer')};
let io${t(': Server')};
let agent${t(': Instrumentation')};
let base = '';

beforeAll(async () => {
	httpServer = createServer();
	io = new Server(httpServer);
	const passwordHash = await hashPassword('ops-password', 4);
	agent = instrument(io, { auth: { users: [{ name: 'ops', passwordHash, role: 'admin' }] } });
	await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve(undefined)));
	base = 'http://127.0.0.1:' + (httpServer.address()${t(' as AddressInfo')}).port;
});

afterAll(async () => {
	await agent.close();
	await new Promise((resolve) => io.close(() => resolve(undefined)));
});

test('the dashboard page is served', async () => {
	const page = await get(base + '/sockscope/');
	expect(page.status).toBe(200);
	expect(page.body).toContain('<html');
});

test('a dashboard logs in and gets a snapshot', async () => {
	const dashboard = connect(base + '/sockscope', {
		auth: { user: 'ops', password: 'ops-password' },
		transports: ['websocket'],
		reconnection: false
	});
	try {
		const snapshot = await new Promise((resolve, reject) => {
			dashboard.once('state:snapshot', resolve);
			dashboard.once('connect_error', reject);
		});
		expect(snapshot).toMatchObject({ principal: { name: 'ops', role: 'admin' } });
	} finally {
		dashboard.disconnect();
	}
});
`;
}

const SOCKET_IO = ['socket.io@~4.8.0', 'socket.io-client@~4.8.0'];

const SETUPS = {
	'Jest 29 with ts-jest': {
		manifest: {
			type: 'commonjs',
			jest: { preset: 'ts-jest', testEnvironment: 'node' }
		},
		packages: [
			'jest@29',
			'ts-jest@29',
			'typescript@~5.9.0',
			'@types/jest@29',
			'@types/node@20',
			...SOCKET_IO
		],
		file: 'server.test.ts',
		source: serverTest(true),
		extra: {
			'tsconfig.json': JSON.stringify({
				// NestJS's default: CommonJS, node10 resolution (so `types`/`main`, not `exports`).
				compilerOptions: {
					module: 'commonjs',
					target: 'es2022',
					strict: true,
					esModuleInterop: true,
					skipLibCheck: true,
					types: ['jest', 'node']
				}
			})
		} as Record<string, string>
	},
	'Jest 30 with babel-jest defaults': {
		manifest: { type: 'commonjs' },
		packages: ['jest@30', ...SOCKET_IO],
		file: 'server.test.js',
		source: serverTest(false),
		extra: {} as Record<string, string>
	}
} as const;

let packed: Packed;
let apps: Record<keyof typeof SETUPS, Promise<string>>;

beforeAll(async () => {
	packed = await packTarball();
	const install = (name: keyof typeof SETUPS) =>
		installApp(packed.work, SETUPS[name].manifest, [packed.tarball, ...SETUPS[name].packages]);
	apps = {
		'Jest 29 with ts-jest': install('Jest 29 with ts-jest'),
		'Jest 30 with babel-jest defaults': install('Jest 30 with babel-jest defaults')
	};
	// Settled here so that a failed install is not an unhandled rejection before its test awaits it.
	for (const app of Object.values(apps)) app.catch(() => {});
}, 120_000);

afterAll(async () => {
	await packed?.dispose();
});

describe.each(Object.keys(SETUPS) as (keyof typeof SETUPS)[])('%s', (name) => {
	test(
		"the app's Jest test instruments a server, serves the dashboard and logs a dashboard in",
		async () => {
			const app = await apps[name];
			const setup = SETUPS[name];
			await writeFile(join(app, setup.file), setup.source);
			for (const [file, text] of Object.entries(setup.extra))
				await writeFile(join(app, file), text);
			const result = await run(
				process.execPath,
				[join(app, 'node_modules/jest/bin/jest.js'), '--ci', '--colors=false'],
				{ cwd: app, maxBuffer: 16 << 20 }
			).catch((err: { stdout: string; stderr: string; code: number }) => err);
			// Jest reports on stderr; the whole report is the failure message when it did not pass.
			expect(result.stderr).toMatch(/Tests:\s+2 passed, 2 total/);
			expect(result.stderr).not.toMatch(/failed/);
		},
		INSTALL_TIMEOUT
	);
});
