/**
 * Sockscope's agent: one call instruments a Socket.IO 4 server for the dashboard and Prometheus.
 */
import type { Server as HttpServer } from 'node:http';
import { hostname } from 'node:os';
import { createRequire } from 'node:module';
import createDebug from 'debug';
import type { Server } from 'socket.io';
import { PROTOCOL_VERSION } from '../protocol/version.js';
import { MAX_PAGE_SIZE } from '../protocol/limits.js';
import type { Feature, NodeInfo, Principal, Sample, Snapshot } from '../protocol/models.js';
import { createAdminNamespace } from './admin-namespace.js';
import { createAuthenticator } from './auth/index.js';
import { createEngineCollector, type EngineServer } from './collectors/engine.js';
import { createNamespaceCollector } from './collectors/namespaces.js';
import { createSocketCollector } from './collectors/sockets.js';
import { EventLog } from './event-log.js';
import { Faults } from './guard.js';
import { HistoryStore } from './history.js';
import { mountHttpRoutes } from './http-routes.js';
import { createMetrics } from './metrics.js';
import { NodeModel } from './model.js';
import { resolveOptions, type Options, type UserInput } from './options.js';
import { createHealthProbe } from './process-health.js';
import { Queries } from './queries.js';
import { registerQueries } from './query-handlers.js';
import { Sampler, canSee, viewFor } from './sampler.js';

export type { UserInput as InstrumentOptions, Options, UserOptions, AuthOptions } from './options.js';
export { AgentError } from './errors.js';
export type * from '../protocol/models.js';

const debug = createDebug('sockscope:agent');
const require = createRequire(import.meta.url);

/** What `instrument()` returns. */
export interface Instrumentation {
	readonly nodeId: string;
	/** The options in force, defaults filled in. */
	readonly options: Options;
	/** The latest sample of this node (all namespaces), or null before the first interval ends. */
	latestSample(): Sample | null;
	/** Removes every listener, timer, route and namespace the agent added. */
	close(): Promise<void>;
}

/**
 * Instruments a Socket.IO 4 server: watches every namespace (present and future), serves the
 * dashboard and its admin namespace, and Prometheus metrics when asked.
 *
 * @example
 * import { Server } from 'socket.io';
 * import { instrument } from 'sockscope';
 *
 * const io = new Server(httpServer);
 * instrument(io, {
 *   auth: { users: [{ name: 'admin', passwordHash: process.env.ADMIN_HASH, role: 'admin' }] },
 *   metrics: { path: '/metrics' }
 * });
 */
export function instrument(io: Server, options: UserInput): Instrumentation {
	const opts = resolveOptions(options);
	if (opts.auth === false && process.env.NODE_ENV === 'production') {
		console.warn('sockscope: `auth: false` in production — anyone who can reach the server can open the dashboard and act on sockets');
	}
	const faults = new Faults();
	const model = new NodeModel();
	const metrics = opts.metrics ? createMetrics(model) : undefined;
	const engine = createEngineCollector({
		engine: () => io.engine as unknown as EngineServer | undefined,
		model,
		faults,
		adminNamespace: opts.namespace,
		onRtt: metrics ? (ms) => metrics.observeRtt(ms) : () => {}
	});
	const log = new EventLog(opts.nodeId, opts.eventLog.maxPerSecond, opts.eventLog.payloads, (err) =>
		faults.record('event log', err)
	);
	const sockets = createSocketCollector(model, faults, engine, log);
	const namespaces = createNamespaceCollector({
		io,
		model,
		faults,
		sockets,
		adminNamespace: opts.namespace,
		maxEventNames: opts.maxEventNames
	});
	const health = createHealthProbe();
	const sampler = new Sampler(model, health, opts.nodeId, faults);
	const history = new HistoryStore(opts.nodeId, opts.sampleInterval);
	const queries = new Queries(model, opts.nodeId, opts.redact);
	const authenticator = createAuthenticator(opts.auth);
	const node = nodeInfo(io, opts);
	let latest: Sample | null = null;

	const features: Feature[] = ['sockets', 'rooms', 'events', 'history', 'bytes', 'rtt'];
	if (opts.metrics) features.push('metrics');

	function snapshot(principal: Principal): Snapshot {
		const visible = (ns: string) => canSee(principal, ns);
		return {
			protocol: PROTOCOL_VERSION,
			principal,
			features,
			node,
			samples: latest ? [viewFor(latest, principal)] : [],
			history: [history.query('5m', visible)],
			namespaces: queries.namespaces(principal),
			limits: {
				pageSize: MAX_PAGE_SIZE,
				logMaxPerSecond: opts.eventLog.maxPerSecond,
				payloads: opts.eventLog.payloads
			}
		};
	}

	const admin = createAdminNamespace({
		io,
		name: opts.namespace,
		faults,
		authenticator,
		snapshot,
		view: viewFor,
		onLeave: (socket) => log.unsubscribe(socket)
	});
	registerQueries(admin, { queries, history, log, snapshot });

	const tick = setInterval(
		faults.wrap('sample', () => {
			namespaces.refresh();
			latest = sampler.take();
			history.add(latest);
			admin.deliver(latest);
		}),
		opts.sampleInterval
	);
	// The agent must never keep the host's process alive.
	tick.unref();

	let unmount: (() => void) | undefined;
	const server = opts.httpServer ?? (io.httpServer as HttpServer | undefined);
	if (server) {
		unmount = mountHttpRoutes({
			server,
			faults,
			dashboard: opts.dashboard && {
				path: opts.dashboard.path,
				config: { namespace: opts.namespace, socketPath: io.path(), auth: authenticator.methods }
			},
			metrics: opts.metrics && metrics ? { path: opts.metrics.path, render: metrics.render, contentType: metrics.contentType } : false
		});
	} else if (opts.dashboard || opts.metrics) {
		debug('no HTTP server: attach io to one before instrument(), or pass `httpServer`');
	}

	debug('instrumented %d namespaces as node %s', model.namespaces.size, opts.nodeId);
	let closed = false;
	return {
		nodeId: opts.nodeId,
		options: opts,
		latestSample: () => latest,
		async close() {
			if (closed) return;
			closed = true;
			clearInterval(tick);
			unmount?.();
			log.stop();
			admin.dispose();
			namespaces.dispose();
			engine.dispose();
			health.dispose();
			authenticator.dispose();
			metrics?.registry.clear();
		}
	};
}

function nodeInfo(io: Server, opts: Options): NodeInfo {
	return {
		nodeId: opts.nodeId,
		hostname: hostname(),
		pid: process.pid,
		startedAt: Date.now(),
		socketIoVersion: packageVersion('socket.io'),
		agentVersion: packageVersion('../../package.json'),
		adapter: io.of('/').adapter.constructor.name
	};
}

function packageVersion(name: string): string {
	try {
		const path = name.endsWith('.json') ? name : `${name}/package.json`;
		return (require(path) as { version: string }).version;
	} catch {
		return 'unknown';
	}
}
