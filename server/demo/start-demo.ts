/**
 * `sockscope demo`: builds the dashboard when stale, starts the demo server with the agent and the
 * bots, and prints where everything is and how to log in.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startBots } from './bots.js';
import { Faults } from '../agent/base/faults.js';
import { mountHttpRoutes } from '../agent/http/routes.js';
import type { InstrumentOptions } from '../agent/index.js';
import { ensureDashboard } from './build-dashboard.js';
import { createDemoServer, type DemoServer } from './chat-server.js';
import { authUsers, demoLogins, type DemoLogin } from './users.js';

export interface DemoOptions {
	port: number;
	host: string;
	bots: number;
	/** Messages a minute per chatty bot. */
	rate: number;
	log: (line: string) => void;
	/** Aborts a dashboard build in progress. */
	signal?: AbortSignal;
	/**
	 * Who instruments the demo: Sockscope's agent, or `@socket.io/admin-ui` (development mode), so
	 * that the dashboard's second source can be tried; then only the admin login exists.
	 * @default 'sockscope'
	 */
	agent?: 'sockscope' | 'admin-ui';
}

/** Relative to the working directory, like `.git`: each checkout keeps its own trail. */
const STATE_DIR = '.sockscope';

export async function startDemo(options: DemoOptions): Promise<{ stop(): Promise<string> }> {
	const { log, signal } = options;
	const [build, logins] = await Promise.all([ensureDashboard({ log, signal }), demoLogins()]);
	signal?.throwIfAborted();
	await mkdir(STATE_DIR, { recursive: true });
	const adminUi = options.agent === 'admin-ui';
	const server = await listen(
		options,
		adminUi
			? false
			: { auth: { users: authUsers(logins) }, audit: { sqlite: resolve(STATE_DIR, 'audit.db') } }
	);
	let unmount: (() => void) | undefined;
	if (adminUi) {
		unmount = await instrumentWithAdminUi(server, logins[0]);
		logins.splice(1);
	}
	const bots = startBots({
		url: server.url,
		count: options.bots,
		rate: options.rate,
		onError: (message) => log(`bots: ${message}`)
	});
	log(banner(options, server.port, logins, build === 'failed'));
	return {
		async stop() {
			unmount?.();
			const connected = bots.connected;
			await bots.stop();
			await server.close();
			return `${connected} of ${options.bots} bots were connected; the server is closed`;
		}
	};
}

async function listen(
	options: DemoOptions,
	instrument: false | InstrumentOptions
): Promise<DemoServer> {
	try {
		return await createDemoServer({ port: options.port, host: options.host, instrument });
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
		throw new Error(
			`port ${options.port} is in use on ${options.host}; choose another with --port`
		);
	}
}

/**
 * `--agent admin-ui`: the incumbent's own `instrument()` in development mode, with the demo's admin
 * login, and Sockscope's dashboard served as static files beside it (no config.json: there is no
 * Sockscope agent here, so the dashboard detects admin-ui's `/admin` namespace).
 */
async function instrumentWithAdminUi(server: DemoServer, admin: DemoLogin): Promise<() => void> {
	// A dev dependency, loaded only for this mode.
	const { instrument } = await import('@socket.io/admin-ui');
	instrument(server.io, {
		auth: { type: 'basic', username: admin.name, password: admin.passwordHash },
		// Explicit: admin-ui otherwise follows NODE_ENV.
		mode: 'development'
	});
	return mountHttpRoutes({
		server: server.httpServer,
		faults: new Faults(),
		dashboard: { path: '/sockscope', config: null },
		metrics: false
	});
}

function banner(options: DemoOptions, port: number, logins: DemoLogin[], buildFailed: boolean) {
	const base = baseUrl(options.host, port);
	return [
		'',
		'Sockscope demo',
		'',
		`  Chat:       ${base}/`,
		`  Dashboard:  ${base}/sockscope/${buildFailed ? '   (its build failed, see above)' : ''}`,
		options.agent === 'admin-ui'
			? '  Instrumented by @socket.io/admin-ui (development mode); the dashboard detects it.'
			: `  Metrics:    ${base}/metrics`,
		'',
		...loginLines(logins),
		'',
		`  Bots: ${options.bots}, ${options.rate} messages a minute per chatty bot.`,
		'  Ctrl-C stops everything.',
		''
	].join('\n');
}

/** The URL to print for a listening address: `localhost` for loopback and wildcard addresses. */
export function baseUrl(host: string, port: number): string {
	const local = ['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::'].includes(host);
	return `http://${local ? 'localhost' : host}:${port}`;
}

/** The dashboard logins, as printed at start. */
export function loginLines(logins: DemoLogin[]): string[] {
	const width = Math.max(...logins.map((l) => l.name.length));
	const rows = logins.map(({ name, password, role, namespaces }) => {
		const scope = namespaces?.join(', ') ?? 'every namespace';
		const shown = password ?? '(from SOCKSCOPE_PASSWORD)';
		const rights = role === 'admin' ? 'admin' : 'read-only';
		return `    ${name.padEnd(width)}  ${shown.padEnd(16)}  ${rights}, ${scope}`;
	});
	return ['  Dashboard logins (random passwords are new on every start):', ...rows];
}
