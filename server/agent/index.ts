/**
 * Sockscope's agent: one call instruments a Socket.IO 4 server for the dashboard and Prometheus.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, sep } from 'node:path';
import createDebug from 'debug';
import type { Server } from 'socket.io';
import { PROTOCOL_VERSION } from '../protocol/version.js';
import { MAX_PAGE_SIZE, TOP_NAMESPACES } from '../protocol/limits.js';
import type { Feature, NodeInfo, Principal, Sample, Snapshot } from '../protocol/models.js';
import { createAdminNamespace } from './serve/admin-namespace.js';
import { auditHandlers, createAuditTrail, registerAudit } from './audit/index.js';
import { createAuthenticator } from './auth/index.js';
import { createSessionCommands } from './commands/sessions.js';
import { createCommands } from './commands/index.js';
import { AgentError } from './base/errors.js';
import { EventLog } from './history/event-log.js';
import { Faults } from './base/faults.js';
import { HistoryStore } from './history/history.js';
import { RoomTracker } from './history/room-history.js';
import { assertNotInstrumented, assertServer, claimServer } from './http/host-server.js';
import { createDashboardServer, sendMetrics } from './http/routes.js';
import { createDashboardHandler, type DashboardHandler } from './http/dashboard-handler.js';
import { assertClearOfSocketIo } from './http/socket-path.js';
import { createMetrics } from './metrics/prometheus.js';
import { metricsResponse, type MetricsHandler } from './metrics/handler.js';
import { NodeModel } from './observe/model.js';
import { createOtelMetrics, type OtelMetrics } from './metrics/otel.js';
import {
	histogramBuckets,
	parseUsers,
	resolveOptions,
	type Options,
	type UserInput,
	type UserOptions
} from './options.js';
import { serveHttp, startSampling, watchHost, type Part } from './parts.js';
import { createHealthProbe } from './observe/process-health.js';
import { Queries } from './serve/queries.js';
import { localAnswers, namespacesAcross, queryHandlers } from './serve/query-handlers.js';
import { createCluster } from './cluster/index.js';
import { topAndRest } from './cluster/merge.js';
import { Sampler, viewFor } from './history/sampler.js';
import { checkSeam, namespaceNamed, type SeamCheck } from './observe/seam.js';
import { registerLiveWindows } from './serve/live-windows.js';
import { createLabeller } from './observe/socket-label.js';
import { stopWithServer } from './http/stop-with-server.js';
import { createRequestLimits } from './serve/request-limits.js';
import { ScanTurns } from './base/scan-turns.js';
import { DisconnectRecord } from './observe/disconnects.js';
import { DisconnectQueries } from './serve/disconnect-queries.js';
import { headerShown } from './serve/redaction.js';
import { ownVersion, packageRequire } from './base/package-files.js';

export type {
	UserInput as InstrumentOptions,
	Options,
	UserOptions,
	AuthOptions,
	MetricsOptions,
	HistogramBuckets
} from './options.js';
export type { MetricsHandler } from './metrics/handler.js';
export type { DashboardHandler } from './http/dashboard-handler.js';
export { AgentError } from './base/errors.js';
export { hashPassword } from './auth/passwords.js';
export type * from '../protocol/models.js';
export type { SeamCheck } from './observe/seam.js';

const debug = createDebug('sockscope:agent');

export interface AgentSizes {
	namespaces: number;
	sockets: number;
	connections: number;
	eventNames: number;
	rooms: number;
	logSubscribers: number;
	faults: number;
	/** Sockets-list windows watched by dashboards (live-windows.ts), this node's and other nodes'. */
	liveWindows: number;
	/** Rooms whose membership history is kept (room-history.ts), as of the last sample. */
	roomHistories: number;
	/**
	 * Sockets awaiting acknowledgements now, each holding a few slots until its last ack is
	 * answered or timed out (collectors/ack-table.ts); 0 when acks are not tracked.
	 */
	acksAwaited: number;
	/**
	 * The record of recent disconnects (observe/disconnects.ts): entries kept, out of `keep`
	 * (0 and 0 with `disconnects: false`), and kicks waiting for their socket to go.
	 */
	disconnects: { kept: number; keep: number; pendingKicks: number };
}

/** What `instrument()` returns. */
export interface Instrumentation {
	readonly nodeId: string;
	/** The options in force, defaults filled in. */
	readonly options: Options;
	/** The latest sample of this node (all namespaces), or null before the first interval ends. */
	latestSample(): Sample | null;
	/** What the check of socket.io's internals found, and which figures it turned off. */
	readonly seam: SeamCheck;
	/** The size of everything the agent holds, to check that it returns to empty. */
	inspect(): AgentSizes;
	/**
	 * A request handler answering with the Prometheus exposition, to mount behind the app's own
	 * routing and auth: Express `app.get('/metrics', auth, handler)`, Fastify
	 * `fastify.get('/metrics', handler)`, or plain `http`. Needs the `metrics` option.
	 */
	metricsHandler(): MetricsHandler;
	/**
	 * The dashboard as a request handler, to mount behind the app's own routing and middleware
	 * (with `dashboard: false`, so that the automatic route does not answer first): Express
	 * `app.use('/sockscope', auth, handler)`, Fastify `get('/sockscope', handler)` and
	 * `get('/sockscope/*', handler)`, or plain `http` for the path and everything below it.
	 * `path` is where it is mounted: `dashboard.path` when set, else `/sockscope`.
	 */
	dashboardHandler(options?: { path?: string; prefix?: string }): DashboardHandler;
	/**
	 * Replaces the users who log in with a password (`auth.users`), checked like the option;
	 * throws an `E_OPTIONS` error naming the bad entry. Sessions follow at once: the dashboards
	 * and tokens of a removed user, or of one whose password, role or namespaces changed, are
	 * ended (open dashboards are disconnected now, tokens refused from now on); the others go on.
	 * Call it on every node of a cluster: each checks sessions against its own list.
	 *
	 * @example
	 * agent.setUsers([{ name: 'admin', passwordHash: await hashPassword(newPassword), role: 'admin' }]);
	 */
	setUsers(users: UserOptions[]): void;
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
	assertServer(io);
	const opts = resolveOptions(options);
	assertNotInstrumented(io);
	// Only where socket.io listens too: on another HTTP server the paths cannot meet.
	if (!opts.httpServer || opts.httpServer === io.httpServer) assertClearOfSocketIo(io, opts);
	if (opts.auth === false && process.env.NODE_ENV === 'production') {
		console.warn(
			'sockscope: `auth: false` in production — anyone who can reach the server can open the dashboard and act on sockets'
		);
	}
	// Every part in the order made; `close()` disposes of them in the reverse order.
	const parts: Part[] = [];
	const own = <T extends Part>(part: T): T => {
		parts.push(part);
		return part;
	};
	const faults = new Faults();
	const model = new NodeModel();
	// First: what can refuse (a registry that has these metrics, a store that cannot open) throws
	// here, before any hook is attached to the host.
	const buckets = histogramBuckets(opts);
	const metrics = opts.metrics
		? own(createMetrics(model, { ...opts.metrics, rttBuckets: buckets.heartbeatRtt }))
		: undefined;
	let otel: OtelMetrics | undefined;
	let trail: ReturnType<typeof createAuditTrail>;
	try {
		otel = opts.otel
			? own(
					createOtelMetrics(model, ownVersion(), {
						buckets,
						...(opts.metrics && opts.metrics.rooms !== undefined
							? { rooms: opts.metrics.rooms }
							: {})
					})
				)
			: undefined;
		trail = createAuditTrail(opts.audit, { faults, timeout: opts.queryTimeout });
	} catch (err) {
		for (const part of parts) void part.dispose();
		throw err;
	}
	own({ dispose: () => trail.close().catch((err) => faults.record('audit close', err)) });
	own({ dispose: claimServer(io) });
	const seam = checkSeam(io, (problem) => console.warn(`sockscope: ${problem}`));
	const log = new EventLog(opts.nodeId, opts.eventLog.maxPerSecond, opts.eventLog.payloads, (err) =>
		faults.record('event log', err)
	);
	own({ dispose: () => log.stop() });
	log.limits = {
		perUser: opts.limits.logSubscriptionsPerUser,
		total: opts.limits.logSubscriptions
	};
	const rtt =
		metrics || otel
			? {
					observeRtt(ms: number) {
						metrics?.observeRtt(ms);
						otel?.observeRtt(ms);
					},
					// Only with OpenTelemetry: Prometheus reads the sides' own counts at scrape time.
					...(otel ? { observeAck: otel.observeAck } : {})
				}
			: undefined;
	const labeller = createLabeller(opts.label, faults);
	const disconnects = opts.disconnects
		? new DisconnectRecord({
				keep: opts.disconnects.keep,
				nodeId: opts.nodeId,
				label: labeller,
				showUserAgent: headerShown('user-agent', opts.redact)
			})
		: undefined;
	if (disconnects) own({ dispose: () => disconnects.clear() });
	const host = own(watchHost(io, opts, { model, faults, log, metrics: rtt, seam, disconnects }));
	const health = own(createHealthProbe());
	const history = new HistoryStore(opts.nodeId, opts.sampleInterval);
	const rooms = new RoomTracker(model, opts.roomHistory);
	// One line of turns for every request's start and every scan's chunk, so that together they
	// hold the host's event loop for a few of them a turn, however many dashboards ask.
	const turns = new ScanTurns();
	const queries = new Queries(model, opts.nodeId, opts.redact, labeller, turns);
	const disconnectQueries = new DisconnectQueries(disconnects, turns);
	const authenticator = own(createAuthenticator(opts.auth, faults));
	const admin = own(
		createAdminNamespace({
			io,
			name: opts.namespace,
			faults,
			authenticator,
			view: viewFor,
			onLeave: (socket) => log.unsubscribe(socket),
			limits: createRequestLimits(opts.limits, turns)
		})
	);
	const cluster = own(
		createCluster({
			nsp: admin.nsp,
			nodeId: opts.nodeId,
			faults,
			timeout: opts.queryTimeout,
			onSample: (sample) => admin.deliver(sample),
			answers: localAnswers({ queries, history, rooms, disconnects: disconnectQueries })
		})
	);
	const windows = own(
		registerLiveWindows({ admin, queries, cluster, nodeId: opts.nodeId, faults })
	);
	const sampler = new Sampler(model, health, opts.nodeId, faults);
	const sampling = own(
		startSampling(opts.sampleInterval, {
			namespaces: host.namespaces,
			sampler,
			history,
			admin,
			cluster,
			faults,
			acks: host.acks,
			afterSample: () => windows.tick(),
			// In the line of what dashboards wait for, not behind refreshes: a sample is waited for.
			nextTurn: () => turns.next('answer'),
			rooms,
			roomSize: (namespace, room) => {
				const nsp = namespaceNamed(io, namespace);
				// A socket's own room is no public room, whatever another node calls a room.
				return !nsp || nsp.sockets.has(room) ? 0 : (nsp.adapter.rooms.get(room)?.size ?? 0);
			}
		})
	);
	const node = nodeInfo(io, opts);
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
	if (disconnects) features.push('disconnects');

	// Every node's latest sample and recent history, so a dashboard draws the whole cluster at once.
	// Built on a turn of its own, ahead of the refreshes of live windows: dashboards that connect
	// together (twenty at once after a deploy, or a flood) arrive in one network poll, and their
	// snapshots built in that one turn held the host's loop up to 14 ms at 10,000 sockets (20
	// dashboards at once, the loop's own CPU time; 2.4–5.8 ms once each waits its turn).
	async function snapshot(principal: Principal): Promise<Snapshot> {
		await turns.next('answer');
		const latest = sampling.latest();
		const [histories, largest] = await Promise.all([
			cluster.fanOut('history:query', principal, { range: '5m' }),
			// The largest only, and the rest summed: with a namespace per tenant, the whole list
			// made the first view grow with the tenants (`namespaces:query` pages through them).
			namespacesAcross(cluster, principal, { limit: TOP_NAMESPACES })
		]);
		return {
			protocol: PROTOCOL_VERSION,
			principal,
			features: cluster.enabled ? [...features, 'cluster'] : features,
			node,
			samples: [...(latest ? [latest] : []), ...cluster.remoteSamples()].map((s) =>
				viewFor(s, principal)
			),
			history: histories.answers,
			...topAndRest(largest),
			limits: {
				pageSize: MAX_PAGE_SIZE,
				logMaxPerSecond: opts.eventLog.maxPerSecond,
				payloads: opts.eventLog.payloads
			}
		};
	}

	const commands = own(
		createCommands({
			io,
			trail,
			faults,
			nodeId: opts.nodeId,
			cluster,
			adminNamespace: opts.namespace,
			connectionNamespaces: (namespace, id) => model.connectionNamespaces(namespace, id),
			labelOf: (socket) => {
				const state = model.stateOf(socket);
				return state ? labeller(state) : null;
			},
			notifyClients: opts.notifyClients,
			onKick: disconnects
				? (namespace, ids, by, reason) => disconnects.kicked(namespace, ids, by, reason)
				: undefined
		})
	);
	const sessions = own(
		createSessionCommands({ admin, authenticator, trail, faults, nodeId: opts.nodeId })
	);
	registerAudit(admin, trail);
	admin.serve(
		{
			...queryHandlers({
				queries,
				disconnects: disconnectQueries,
				history,
				rooms,
				log,
				cluster,
				snapshot
			}),
			...auditHandlers(trail),
			...commands.handlers,
			...sessions.handlers,
			...windows.handlers
		},
		snapshot
	);
	own(serveHttp(io, opts, { faults, authenticator, metrics }));

	debug('instrumented %d namespaces as node %s', model.namespaces.size, opts.nodeId);
	let closed = false;
	async function close(): Promise<void> {
		if (closed) return;
		closed = true;
		unwrapClose();
		for (const part of parts.reverse()) {
			try {
				await part.dispose();
			} catch (err) {
				faults.record('close', err);
			}
		}
	}
	// `inspect()` counts its own `rooms`: the tracker's size is read from here.
	const trackedRooms = () => rooms.size;
	// The host's io.close() closes the agent too.
	const unwrapClose = stopWithServer(io, close, faults);
	return {
		nodeId: opts.nodeId,
		options: opts,
		seam,
		latestSample: () => sampling.latest(),
		setUsers(users) {
			if (closed) throw new AgentError('E_OPTIONS', 'setUsers(): the agent is closed');
			authenticator.setUsers(parseUsers(users));
		},
		metricsHandler() {
			if (!metrics) {
				throw new AgentError(
					'E_OPTIONS',
					'metricsHandler(): metrics are off; set the `metrics` option, e.g. `metrics: {}` or `metrics: { register }`'
				);
			}
			return (req, res) => sendMetrics(metricsResponse(req, res), metrics, faults);
		},
		dashboardHandler(options = {}) {
			const mount = options.path ?? (opts.dashboard ? opts.dashboard.path : '/sockscope');
			if (typeof mount !== 'string' || !/^\/[^?#]*[^/?#]$/.test(mount)) {
				throw new AgentError(
					'E_OPTIONS',
					`dashboardHandler({ path }): must be an absolute path like /sockscope, not ending in /; got ${JSON.stringify(mount)}`
				);
			}
			assertClearOfSocketIo(
				io,
				{ dashboard: { path: mount }, metrics: false },
				'dashboardHandler({ path })'
			);
			const prefix = options.prefix ?? (opts.dashboard ? opts.dashboard.prefix : undefined);
			return createDashboardHandler(
				createDashboardServer({
					namespace: opts.namespace,
					socketPath: io.path(),
					auth: authenticator.methods,
					prefix
				}),
				mount
			);
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
				connections: host.engine.size,
				eventNames,
				rooms,
				logSubscribers: log.size,
				faults: faults.count,
				liveWindows: windows.size,
				roomHistories: trackedRooms(),
				acksAwaited: host.acks?.size ?? 0,
				disconnects: {
					kept: disconnects?.size ?? 0,
					keep: disconnects?.capacity ?? 0,
					pendingKicks: disconnects?.pendingKicks ?? 0
				}
			};
		},
		close
	};
}

function nodeInfo(io: Server, opts: Options): NodeInfo {
	return {
		nodeId: opts.nodeId,
		hostname: hostname(),
		pid: process.pid,
		startedAt: Date.now(),
		socketIoVersion: packageVersion('socket.io'),
		agentVersion: ownVersion(),
		adapter: io.of('/').adapter.constructor.name
	};
}

function packageVersion(name: string): string {
	try {
		// From the entry point: a package's `exports` may not include its package.json (socket.io 4.7).
		const entry = packageRequire().resolve(name);
		const marker = `${sep}node_modules${sep}${name}${sep}`;
		const root = entry.slice(0, entry.lastIndexOf(marker) + marker.length);
		return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string })
			.version;
	} catch {
		return 'unknown';
	}
}
