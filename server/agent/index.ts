/**
 * Sockscope's agent: one call instruments a Socket.IO 4 server for the dashboard and Prometheus.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, sep } from 'node:path';
import { createRequire } from 'node:module';
import createDebug from 'debug';
import type { Server } from 'socket.io';
import { PROTOCOL_VERSION } from '../protocol/version.js';
import { MAX_PAGE_SIZE } from '../protocol/limits.js';
import type {
	Feature,
	History,
	NamespaceSummary,
	NodeInfo,
	Principal,
	Sample,
	Snapshot
} from '../protocol/models.js';
import { createAdminNamespace } from './admin-namespace.js';
import { createAuditTrail, registerAudit } from './audit/index.js';
import { createAuthenticator } from './auth/index.js';
import { registerCommands } from './commands/index.js';
import { createEngineCollector, type EngineServer } from './collectors/engine.js';
import { createNamespaceCollector } from './collectors/namespaces.js';
import { createSocketCollector } from './collectors/sockets.js';
import { usesDefaultWireFormat } from './collectors/wire.js';
import { EventLog } from './event-log.js';
import { Faults } from './guard.js';
import { HistoryStore } from './history.js';
import { AgentError } from './errors.js';
import { assertNotInstrumented, claimServer, onHttpServer } from './host-server.js';
import { mountHttpRoutes, sendMetrics } from './http-routes.js';
import { createMetrics } from './metrics.js';
import { metricsResponse, type MetricsHandler } from './metrics-handler.js';
import { NodeModel } from './model.js';
import { createOtelMetrics } from './otel.js';
import { resolveOptions, type Options, type UserInput } from './options.js';
import { createHealthProbe } from './process-health.js';
import { Queries } from './queries.js';
import { localAnswer, registerQueries } from './query-handlers.js';
import { createCluster } from './cluster.js';
import { mergeNamespaces } from './cluster-merge.js';
import { Sampler, canSee, viewFor } from './sampler.js';
import { createLabeller } from './socket-label.js';

export type {
	UserInput as InstrumentOptions,
	Options,
	UserOptions,
	AuthOptions,
	MetricsOptions
} from './options.js';
export type { MetricsHandler } from './metrics-handler.js';
export { AgentError } from './errors.js';
export { hashPassword } from './auth/passwords.js';
export type * from '../protocol/models.js';

const debug = createDebug('sockscope:agent');
const require = createRequire(import.meta.url);

export interface AgentSizes {
	namespaces: number;
	sockets: number;
	connections: number;
	eventNames: number;
	rooms: number;
	logSubscribers: number;
	faults: number;
}

/** What `instrument()` returns. */
export interface Instrumentation {
	readonly nodeId: string;
	/** The options in force, defaults filled in. */
	readonly options: Options;
	/** The latest sample of this node (all namespaces), or null before the first interval ends. */
	latestSample(): Sample | null;
	/** The size of everything the agent holds, to check that it returns to empty. */
	inspect(): AgentSizes;
	/**
	 * A request handler answering with the Prometheus exposition, to mount behind the app's own
	 * routing and auth: Express `app.get('/metrics', auth, handler)`, Fastify
	 * `fastify.get('/metrics', handler)`, or plain `http`. Needs the `metrics` option.
	 */
	metricsHandler(): MetricsHandler;
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
	assertNotInstrumented(io);
	if (opts.auth === false && process.env.NODE_ENV === 'production') {
		console.warn('sockscope: `auth: false` in production — anyone who can reach the server can open the dashboard and act on sockets');
	}
	const faults = new Faults();
	// First: a store that cannot open throws here, before any hook is attached to the host.
	const trail = createAuditTrail(opts.audit, { faults, timeout: opts.queryTimeout });
	const model = new NodeModel();
	let metrics;
	let otel;
	try {
		metrics = opts.metrics ? createMetrics(model, opts.metrics) : undefined;
		otel = opts.otel ? createOtelMetrics(model, packageVersion('../../package.json')) : undefined;
	} catch (err) {
		metrics?.dispose();
		void trail.close().catch(() => {});
		throw err;
	}
	const release = claimServer(io);
	const log = new EventLog(opts.nodeId, opts.eventLog.maxPerSecond, opts.eventLog.payloads, (err) =>
		faults.record('event log', err)
	);
	const wireEvents = usesDefaultWireFormat(io);
	const engine = createEngineCollector({
		engine: () => io.engine as unknown as EngineServer | undefined,
		model,
		faults,
		adminNamespace: opts.namespace,
		wireEvents,
		tap: log,
		onRtt: (ms) => {
			metrics?.observeRtt(ms);
			otel?.observeRtt(ms);
		}
	});
	const sockets = createSocketCollector({ model, faults, engine, tap: log, wireEvents });
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
	const queries = new Queries(model, opts.nodeId, opts.redact, createLabeller(opts.label, faults));
	const authenticator = createAuthenticator(opts.auth, faults);
	const node = nodeInfo(io, opts);
	let latest: Sample | null = null;

	const features: Feature[] = [
		'sockets',
		'rooms',
		'events',
		'history',
		'bytes',
		'rtt',
		'commands',
		'audit'
	];
	if (opts.metrics) features.push('metrics');

	// Every node's latest sample and recent history, so a dashboard draws the whole cluster at once.
	async function snapshot(principal: Principal): Promise<Snapshot> {
		const own = latest ? [latest] : [];
		const [histories, namespaceLists] = await Promise.all([
			cluster.fanOut<History>('history', principal, { range: '5m' }, () => answer('history', principal, { range: '5m' }) as History),
			cluster.fanOut<NamespaceSummary[]>('namespaces', principal, {}, () => queries.namespaces(principal))
		]);
		return {
			protocol: PROTOCOL_VERSION,
			principal,
			features: cluster.enabled ? [...features, 'cluster'] : features,
			node,
			samples: [...own, ...cluster.remoteSamples()].map((s) => viewFor(s, principal)),
			history: histories.answers,
			namespaces: mergeNamespaces(namespaceLists.answers),
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
	const answer = localAnswer({ queries, history });
	const cluster = createCluster({
		nsp: admin.nsp,
		nodeId: opts.nodeId,
		faults,
		timeout: opts.queryTimeout,
		onSample: (sample) => admin.deliver(sample),
		answer
	});
	registerQueries(admin, { queries, history, log, cluster, snapshot });
	registerAudit(admin, trail);
	const commands = registerCommands(admin, {
		io,
		trail,
		faults,
		nodeId: opts.nodeId,
		adminNamespace: opts.namespace
	});

	const tick = setInterval(
		faults.wrap('sample', () => {
			namespaces.refresh();
			latest = sampler.take();
			latest.cluster = cluster.health();
			history.add(latest);
			admin.deliver(latest);
			cluster.publish(latest);
		}),
		opts.sampleInterval
	);
	// The agent must never keep the host's process alive.
	tick.unref();

	const metricsPath = opts.metrics ? opts.metrics.path : undefined;
	const served = [opts.dashboard && 'the dashboard', metrics && metricsPath && 'the metrics']
		.filter(Boolean)
		.join(' and ');
	const unmount = served
		? onHttpServer(io, opts.httpServer, served, (server) =>
				mountHttpRoutes({
					server,
					faults,
					dashboard: opts.dashboard && {
						path: opts.dashboard.path,
						config: {
							namespace: opts.namespace,
							socketPath: io.path(),
							auth: authenticator.methods
						}
					},
					metrics:
						metrics && metricsPath
							? { path: metricsPath, render: metrics.render, contentType: metrics.contentType }
							: false
				})
			)
		: undefined;

	debug('instrumented %d namespaces as node %s', model.namespaces.size, opts.nodeId);
	let closed = false;
	return {
		nodeId: opts.nodeId,
		options: opts,
		latestSample: () => latest,
		metricsHandler() {
			if (!metrics) {
				throw new AgentError(
					'E_OPTIONS',
					'metricsHandler(): metrics are off; set the `metrics` option, e.g. `metrics: {}` or `metrics: { register }`'
				);
			}
			const exposition = metrics;
			return (req, res) => sendMetrics(metricsResponse(req, res), exposition, faults);
		},
		inspect: () => {
			let eventNames = 0;
			let rooms = 0;
			for (const stats of model.namespaces.values()) {
				eventNames += stats.events.size;
				rooms += stats.publicRooms.size;
			}
			return {
				namespaces: model.namespaces.size,
				sockets: model.watched,
				connections: engine.size,
				eventNames,
				rooms,
				logSubscribers: log.size,
				faults: faults.count
			};
		},
		async close() {
			if (closed) return;
			closed = true;
			clearInterval(tick);
			cluster.dispose();
			unmount?.();
			log.stop();
			commands.dispose();
			admin.dispose();
			namespaces.dispose();
			engine.dispose();
			health.dispose();
			authenticator.dispose();
			metrics?.dispose();
			otel?.dispose();
			release();
			await trail.close().catch((err) => faults.record('audit close', err));
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
		if (name.endsWith('.json')) return (require(name) as { version: string }).version;
		// From the entry point: a package's `exports` may not include its package.json (socket.io 4.7).
		const entry = require.resolve(name);
		const marker = `${sep}node_modules${sep}${name}${sep}`;
		const root = entry.slice(0, entry.lastIndexOf(marker) + marker.length);
		return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string })
			.version;
	} catch {
		return 'unknown';
	}
}
