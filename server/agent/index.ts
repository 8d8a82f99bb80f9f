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
import { mountHttpRoutes } from './http-routes.js';
import { createMetrics } from './metrics.js';
import { NodeModel } from './model.js';
import { resolveOptions, type Options, type UserInput } from './options.js';
import { createHealthProbe } from './process-health.js';
import { Queries } from './queries.js';
import { localAnswer, registerQueries } from './query-handlers.js';
import { createCluster } from './cluster.js';
import { mergeNamespaces } from './cluster-merge.js';
import { Sampler, canSee, viewFor } from './sampler.js';
import { registerLiveWindows } from './live-windows.js';

export type { UserInput as InstrumentOptions, Options, UserOptions, AuthOptions } from './options.js';
export { AgentError } from './errors.js';
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
	// First: a store that cannot open throws here, before any hook is attached to the host.
	const trail = createAuditTrail(opts.audit, { faults, timeout: opts.queryTimeout });
	const model = new NodeModel();
	const metrics = opts.metrics ? createMetrics(model) : undefined;
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
		onRtt: metrics ? (ms) => metrics.observeRtt(ms) : () => {}
	});
	const sockets = createSocketCollector({ model, faults, engine, tap: log, wireEvents });
	const namespaces = createNamespaceCollector({
		io,
		model,
		faults,
		sockets,
		adminNamespace: opts.namespace,
		maxEventNames: opts.maxEventNames,
		broadcasts: log
	});
	const health = createHealthProbe();
	const sampler = new Sampler(model, health, opts.nodeId, faults);
	const history = new HistoryStore(opts.nodeId, opts.sampleInterval);
	const queries = new Queries(model, opts.nodeId, opts.redact);
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
		answer: (kind, principal, payload) =>
			windows.answer(kind, principal, payload) ?? answer(kind, principal, payload)
	});
	const windows = registerLiveWindows({ admin, queries, cluster, nodeId: opts.nodeId, faults });
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
			windows.tick();
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
			windows.dispose();
			cluster.dispose();
			unmount?.();
			log.stop();
			commands.dispose();
			admin.dispose();
			namespaces.dispose();
			engine.dispose();
			health.dispose();
			authenticator.dispose();
			metrics?.registry.clear();
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
		const path = name.endsWith('.json') ? name : `${name}/package.json`;
		return (require(path) as { version: string }).version;
	} catch {
		return 'unknown';
	}
}
