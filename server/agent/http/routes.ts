/**
 * Serves the dashboard and the Prometheus metrics on the host's own HTTP server. Like engine.io
 * does for `/socket.io/`, it takes over the server's `request` listeners and hands on every request
 * that is not for its paths, untouched; `close()` puts the host's listeners back as they were.
 * The metrics path is checked first: if the host's own routes answer it, the host keeps it and the
 * agent says so, rather than hiding the app's route.
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { join } from 'node:path';
import createDebug from 'debug';
import sirv from 'sirv';
import { dashboardHeaders } from './dashboard-headers.js';
import type { Faults } from '../base/faults.js';
import { packageRoot } from '../base/package-files.js';
import { PROBE_HEADER, PROBE_TOKEN, probeHostRoute } from './route-probe.js';

const debug = createDebug('sockscope:http');

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Where the dashboard's static build lives: `build/` at the package's root, found from the
 * package's own files (base/package-files.ts), so also when the app is bundled. Undefined
 * when the package itself cannot be found.
 */
export function dashboardBuild(): string | undefined {
	const { root } = packageRoot();
	return root === undefined ? undefined : join(root, 'build');
}

/** What a 503 says when the dashboard's files are missing: the fix for where the agent runs from. */
export function missingDashboardMessage(build: string | undefined): string {
	const { root, searched } = packageRoot();
	if (root !== undefined && existsSync(join(root, 'svelte.config.js'))) {
		// A checkout of the repository: the build is one command away.
		return 'The Sockscope dashboard is not built. Run `npm run build:dashboard` in the sockscope repository.\n';
	}
	const where =
		build === undefined
			? `the sockscope package was not found (searched from ${searched.join(', ')})`
			: `${build} is missing`;
	return (
		`The Sockscope dashboard's files cannot be found: ${where}. ` +
		'Reinstall the package (`npm install sockscope`) so that node_modules/sockscope/build is present. ' +
		'If the app is bundled, keep `sockscope` external, or deploy node_modules/sockscope beside the bundle.\n'
	);
}

export interface DashboardConfig {
	namespace: string;
	/** socket.io's HTTP path, e.g. `/socket.io`. */
	socketPath: string;
	/** `none` when `auth: false`; otherwise what the login screen offers. */
	auth: { password: boolean; hook: boolean } | 'none';
	/** The path a proxy puts in front of the app, when the operator gives it (`dashboard.prefix`). */
	prefix?: string;
}

export interface HttpRoutesOptions {
	server: HttpServer;
	faults: Faults;
	/** `config: null` serves the static dashboard alone (no agent on this server to describe). */
	dashboard: false | { path: string; config: DashboardConfig | null };
	metrics: false | ({ path: string; authorize?: ScrapeCheck } & Exposition);
}

/** The operator's check of a scrape of the agent's metrics route. */
export type ScrapeCheck = (req: IncomingMessage) => boolean | Promise<boolean>;

export interface Exposition {
	render(): Promise<string>;
	contentType: string;
}

/** Answers one scrape; a failure is a 500 for the scraper and a fault for the agent. */
export function sendMetrics(res: ServerResponse, metrics: Exposition, faults: Faults): void {
	metrics.render().then(
		(text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
		(err) => {
			faults.record('metrics', err);
			res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n');
		}
	);
}

/**
 * Answers a scrape the operator's check lets through; anything else (a refusal, a throw, a
 * rejection) gets a 401 and no exposition. Only `true` lets it through, so a check that forgets
 * to return refuses rather than allows.
 */
function sendCheckedMetrics(
	req: IncomingMessage,
	res: ServerResponse,
	metrics: Exposition & { authorize?: ScrapeCheck },
	faults: Faults
): void {
	const { authorize } = metrics;
	if (!authorize) return sendMetrics(res, metrics, faults);
	new Promise<boolean>((resolve) => resolve(authorize(req))).then(
		(allowed) => {
			if (allowed === true) return sendMetrics(res, metrics, faults);
			res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized\n');
		},
		(err) => {
			faults.record('metrics authorize', err);
			res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized\n');
		}
	);
}

/** Answers the dashboard's requests: `base` is where it is mounted, `rest` the path below it. */
export type DashboardServer = (
	req: IncomingMessage,
	res: ServerResponse,
	base: string,
	rest: string
) => void;

/**
 * The dashboard's files, its config and its security headers, for the automatic route and for
 * `dashboardHandler()` alike. `config: null` serves the static dashboard alone.
 */
export function createDashboardServer(config: DashboardConfig | null): DashboardServer {
	const build = dashboardBuild();
	const assets =
		build !== undefined && existsSync(join(build, 'index.html'))
			? sirv(build, { dev: false, etag: true, gzip: false, brotli: false })
			: undefined;
	if (!assets) debug('no dashboard build at %s', build);
	const securityHeaders = dashboardHeaders(assets ? build : undefined);

	return (req, res, base, rest) => {
		for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
		if (rest === '') {
			// `/sockscope` → `/sockscope/`, so the page's relative asset URLs resolve under the mount
			// path. Relative, so that a proxy that strips a prefix sends the browser back under it.
			const url = req.url ?? '';
			const query = url.includes('?') ? url.slice(url.indexOf('?')) : '';
			res.writeHead(308, { location: `${base.slice(base.lastIndexOf('/') + 1)}/${query}` }).end();
		} else if (rest === '/config.json' && config) {
			// Nothing secret in it; a dashboard served from another host reads it to find the namespace.
			res.writeHead(200, {
				'content-type': 'application/json',
				'cache-control': 'no-store',
				'access-control-allow-origin': '*'
			});
			res.end(JSON.stringify({ ...config, mount: base }));
		} else if (!assets) {
			res.writeHead(503, { 'content-type': 'text/plain' });
			res.end(missingDashboardMessage(build));
		} else {
			const original = req.url;
			req.url = rest;
			assets(req, res, () => {
				req.url = original;
				res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
			});
		}
	};
}

/** Why the host answered a probe of `path` with `status`: its own route, or a guard in front. */
export function describeHostAnswer(path: string, status: number): string {
	return status === 401 || status === 403
		? `the app guards ${path} (HTTP ${status} without credentials)`
		: `${path} already answers on this server (HTTP ${status})`;
}

export function mountHttpRoutes({
	server,
	faults,
	dashboard,
	metrics
}: HttpRoutesOptions): () => void {
	const serveDashboard = dashboard ? createDashboardServer(dashboard.config) : undefined;
	const hostListeners = server.listeners('request') as RequestListener[];

	function forward(req: IncomingMessage, res: ServerResponse): void {
		for (const listener of hostListeners) listener.call(server, req, res);
	}

	// Probes still waiting for the host when the agent unmounts end then.
	const probes = new AbortController();
	if (dashboard) {
		probeHostRoute(server, `${dashboard.path}/`, probes.signal).then(
			(status) => {
				if ((status !== 401 && status !== 403) || !mounted) return;
				// The dashboard itself still asks for a login; what the app's guard adds is not applied.
				console.warn(
					`sockscope: ${describeHostAnswer(`${dashboard.path}/`, status)}, but Sockscope's dashboard route answers before the app's middleware, so that guard does not apply to the dashboard. ` +
						'To put the dashboard behind it, set `dashboard: false` and mount `agent.dashboardHandler()` behind your middleware.'
				);
			},
			(err) => faults.record('dashboard probe', err)
		);
	}

	let serveMetrics = Boolean(metrics);
	if (metrics) {
		probeHostRoute(server, metrics.path, probes.signal).then(
			(status) => {
				if (status === undefined || status === 404 || !mounted) return;
				serveMetrics = false;
				console.error(
					`sockscope: ${describeHostAnswer(metrics.path, status)}, so Sockscope leaves it to the app and serves no metrics there. ` +
						'Use `metrics: { register }` to add its metrics to your prom-client registry, mount `agent.metricsHandler()` on a route of yours, or choose another `metrics.path`.'
				);
			},
			(err) => faults.record('metrics probe', err)
		);
	}

	const handle: RequestListener = (req, res) => {
		try {
			const path = (req.url ?? '/').split('?')[0];
			if (req.headers[PROBE_HEADER] === PROBE_TOKEN) return forward(req, res);
			if (
				metrics &&
				serveMetrics &&
				path === metrics.path &&
				(req.method === 'GET' || req.method === 'HEAD')
			) {
				return sendCheckedMetrics(req, res, metrics, faults);
			}
			if (
				dashboard &&
				serveDashboard &&
				(path === dashboard.path || path.startsWith(`${dashboard.path}/`))
			) {
				return serveDashboard(req, res, dashboard.path, path.slice(dashboard.path.length));
			}
		} catch (err) {
			faults.record('http', err);
			if (!res.headersSent) res.writeHead(500).end();
			return;
		}
		forward(req, res);
	};

	server.removeAllListeners('request');
	server.on('request', handle);
	let mounted = true;

	return () => {
		mounted = false;
		probes.abort();
		// Listeners added after ours stay; ours gives its place back to the host's.
		const current = server.listeners('request') as RequestListener[];
		server.removeAllListeners('request');
		for (const listener of current) {
			if (listener === handle) for (const l of hostListeners) server.on('request', l);
			else server.on('request', listener);
		}
	};
}
