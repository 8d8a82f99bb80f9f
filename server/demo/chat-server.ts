/**
 * The demo app: an HTTP server with the chat page, a socket.io server with the demo namespaces and,
 * when asked, the Sockscope agent. The CLI runs it; tests and benchmarks start it on port 0.
 *
 * @example
 * const demo = await createDemoServer({ port: 0, instrument: { auth: false } });
 * // … connect clients to demo.url …
 * await demo.close();
 */
import { readFile } from 'node:fs/promises';
import {
	createServer,
	type IncomingMessage,
	type Server as HttpServer,
	type ServerResponse
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type ServerOptions } from 'socket.io';
import { instrument, type InstrumentOptions, type Instrumentation } from '../agent/index.js';
import { SUPPORT_NAMESPACE, TENANTS } from './catalog.js';
import { identify } from './identity.js';
import type { DemoData } from './namespaces/handler.js';
import { CLASSIC_ROOM, registerChat } from './namespaces/chat.js';
import { registerPresence } from './namespaces/presence.js';
import { registerSupport } from './namespaces/support.js';
import { registerTenant } from './namespaces/tenant.js';

export interface DemoServerOptions {
	/**
	 * Port to listen on; 0 picks a free one.
	 * @default 3000
	 */
	port?: number;
	/**
	 * Address to listen on. Loopback by default, so a demo with printed passwords is not exposed to
	 * the network by accident; '0.0.0.0' exposes it.
	 * @default '127.0.0.1'
	 */
	host?: string;
	/**
	 * `false`: no agent. An object: `instrument()` options, laid over the demo's defaults (dashboard
	 * at `/sockscope`, metrics at `/metrics`); `auth` must be given, as for any app.
	 * @default false
	 */
	instrument?: false | InstrumentOptions;
	/** A socket.io adapter, e.g. the Redis adapter for a cluster of demo nodes. */
	adapter?: ServerOptions['adapter'];
	/**
	 * More socket.io server options, e.g. a short `pingInterval` or `connectionStateRecovery`;
	 * `adapter` above wins over one given here.
	 */
	serverOptions?: Partial<ServerOptions>;
}

export interface DemoServer {
	/** Base URL to reach the server, e.g. `http://127.0.0.1:3000`, no trailing slash. */
	url: string;
	port: number;
	io: Server;
	httpServer: HttpServer;
	/** The agent, when `instrument` was given. */
	agent: Instrumentation | null;
	/** Closes the agent, every socket and the HTTP server. */
	close(): Promise<void>;
}

const SWEEP_MS = 50;
const CLOSE_GRACE_MS = 500;

const INSTRUMENT_DEFAULTS = {
	dashboard: { path: '/sockscope' },
	metrics: { path: '/metrics', defaultMetrics: true },
	// The chat name `identify` gave the socket, so the dashboard can tell users apart.
	label: (socket) => (socket.data as Partial<DemoData>).name ?? ''
} satisfies Partial<InstrumentOptions>;

export async function createDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
	const {
		port = 3000,
		host = '127.0.0.1',
		instrument: agentOptions = false,
		adapter,
		serverOptions = {}
	} = options;
	const httpServer = createServer(await chatPage());
	const io = new Server(httpServer, adapter ? { ...serverOptions, adapter } : serverOptions);

	registerChat(io.of('/').use(identify));
	const stopPresence = registerPresence(io.of('/'), 10_000, CLASSIC_ROOM);
	registerSupport(io.of(SUPPORT_NAMESPACE).use(identify));
	for (const tenant of TENANTS) registerTenant(io.of(tenant.namespace).use(identify), tenant);

	const agent = agentOptions ? instrument(io, { ...INSTRUMENT_DEFAULTS, ...agentOptions }) : null;
	try {
		await listen(httpServer, port, host);
	} catch (err) {
		// Not listening: closing cannot wait on anything, and the listen error is the one to report.
		stopPresence();
		await agent?.close().catch(() => {});
		await io.close();
		throw err;
	}
	const bound = (httpServer.address() as AddressInfo).port;

	let closing: Promise<void> | undefined;
	const close = () => {
		stopPresence();
		return (closing ??= shutdown(io, httpServer, agent));
	};
	return { url: `http://${urlHost(host)}:${bound}`, port: bound, io, httpServer, agent, close };
}

/** Serves the page, its script and icon, and 404 otherwise: the agent answers its own paths first. */
async function chatPage() {
	const read = (file: string) => readFile(new URL(`./public/${file}`, import.meta.url));
	const [html, script, icon] = await Promise.all(
		['index.html', 'chat.js', 'favicon.svg'].map(read)
	);
	const files = new Map([
		['/', { body: html, type: 'text/html; charset=utf-8' }],
		['/index.html', { body: html, type: 'text/html; charset=utf-8' }],
		['/chat.js', { body: script, type: 'text/javascript; charset=utf-8' }],
		['/favicon.svg', { body: icon, type: 'image/svg+xml' }]
	]);
	return (req: IncomingMessage, res: ServerResponse) => {
		const file = files.get((req.url ?? '/').split('?', 1)[0]);
		if (!file) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
		}
		res.writeHead(200, {
			'content-type': file.type,
			'content-length': file.body.length,
			'cache-control': 'no-cache',
			'x-content-type-options': 'nosniff',
			// The page only loads its own script and socket.io's client, and talks to its own origin.
			'content-security-policy':
				"default-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'"
		});
		res.end(req.method === 'HEAD' ? undefined : file.body);
	};
}

function listen(server: HttpServer, port: number, host: string): Promise<void> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
}

async function shutdown(
	io: Server,
	httpServer: HttpServer,
	agent: Instrumentation | null
): Promise<void> {
	// The agent first, while its dashboards are still connected to hear it go.
	await agent?.close().catch(() => {});
	// io.close() ends the sockets and the engine, then waits for the HTTP server to close. That
	// server ends idle keep-alive connections once, but not one whose response is still being
	// written; that one would idle until keepAliveTimeout. So sweep idle connections until closed:
	// no response is cut short, and none is waited on. Past a grace period (thousands of clients
	// still handshaking on a loaded machine), every connection is cut, so that a stop ends.
	const started = Date.now();
	const sweep = setInterval(() => {
		if (Date.now() - started < CLOSE_GRACE_MS) httpServer.closeIdleConnections();
		else httpServer.closeAllConnections();
	}, SWEEP_MS);
	try {
		await io.close();
	} finally {
		clearInterval(sweep);
	}
}

function urlHost(host: string): string {
	if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
	return host.includes(':') ? `[${host}]` : host;
}
