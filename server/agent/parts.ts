/**
 * The parts `instrument()` is made of that are more than one constructor call: each is created by
 * one function and comes with its `dispose`, so that `close()` is one loop over them.
 */
import type { Server as HttpServer } from 'node:http';
import createDebug from 'debug';
import type { Server } from 'socket.io';
import type { Sample } from '../protocol/models.js';
import type { AdminNamespace } from './serve/admin-namespace.js';
import type { Authenticator } from './auth/index.js';
import type { Cluster } from './cluster/index.js';
import { addSharedRooms } from './cluster/shared-rooms.js';
import { AckTracker, type AckListener } from './observe/collectors/acks.js';
import { createEngineCollector, type EngineCollector, type EventTap } from './observe/collectors/engine.js';
import { createMsgpackReader } from './observe/collectors/msgpack-acks.js';
import { createNamespaceCollector, type NamespaceCollector } from './observe/collectors/namespaces.js';
import { createSocketCollector } from './observe/collectors/sockets.js';
import type { BroadcastTap } from './observe/collectors/namespaces.js';
import type { Faults } from './base/faults.js';
import type { HistoryStore } from './history/history.js';
import type { RoomTracker } from './history/room-history.js';
import { onHttpServer } from './http/host-server.js';
import { mountHttpRoutes } from './http/routes.js';
import type { Metrics } from './metrics/prometheus.js';
import type { NodeModel } from './observe/model.js';
import { histogramBuckets, type Options } from './options.js';
import type { Sampler } from './history/sampler.js';
import type { SeamCheck } from './observe/seam.js';
import { engineOf, recoveryWindow, watchConnectErrors } from './observe/seam.js';
import { RecoveredSessions } from './observe/recovered-sessions.js';
import type { DisconnectRecord } from './observe/disconnects.js';

const debug = createDebug('sockscope:agent');

export interface Part {
	dispose(): void | Promise<void>;
}

export interface HostWatch extends Part {
	engine: EngineCollector;
	namespaces: NamespaceCollector;
	/** Times acknowledged events; absent with `ackTimeout: false` or a parser the agent cannot read. */
	acks?: AckTracker;
}

/** The collectors: every namespace, socket and connection of the host, watched. */
export function watchHost(
	io: Server,
	opts: Options,
	{
		model,
		faults,
		log,
		metrics,
		seam,
		disconnects
	}: {
		/** The record of recent disconnects; absent with `disconnects: false`. */
		disconnects?: DisconnectRecord;
		model: NodeModel;
		faults: Faults;
		log: EventTap & BroadcastTap;
		metrics?: Pick<Metrics, 'observeRtt'> & {
			/** Absent unless an exporter records each ack as it comes (OpenTelemetry). */
			observeAck?: AckListener;
		};
		seam: SeamCheck;
	}
): HostWatch {
	// Acks are read from the wire (the default parser's or msgpack's); another format leaves them untimed.
	const readsWire = seam.wireEvents || seam.msgpackWire;
	const acks =
		opts.ackTimeout !== false && readsWire
			? new AckTracker(opts.ackTimeout, histogramBuckets(opts).ackLatency, metrics?.observeAck)
			: undefined;
	const engine = createEngineCollector({
		engine: () => engineOf(io),
		model,
		faults,
		adminNamespace: opts.namespace,
		wireEvents: seam.wireEvents,
		tap: log,
		onRtt: metrics ? (ms) => metrics.observeRtt(ms) : () => {},
		acks,
		...(seam.msgpackWire
			? { readBinary: createMsgpackReader({ model, adminNamespace: opts.namespace, acks }) }
			: {})
	});
	const recovery = recoveryWindow(io);
	const sockets = createSocketCollector({
		model,
		faults,
		engine,
		tap: log,
		wireEvents: seam.wireEvents,
		disconnects,
		...(recovery !== null ? { sessions: new RecoveredSessions(recovery) } : {})
	});
	const namespaces = createNamespaceCollector({
		io,
		model,
		faults,
		sockets,
		adminNamespace: opts.namespace,
		eventNames: {
			max: opts.maxEventNames,
			budget: model.nameBudget,
			...(opts.eventNames ? { allow: new Set(opts.eventNames) } : {})
		},
		broadcasts: seam.broadcasts,
		broadcastLog: log
	});
	// The engine collector sees refused connections on the wire; with another parser, the encoder does.
	const unwatchRefusals = readsWire
		? () => {}
		: watchConnectErrors(
				io,
				(name) => {
					if (name === opts.namespace) return;
					const stats = model.namespaces.get(name);
					if (stats) stats.refused++;
					else model.invalidNamespaces++;
				},
				faults
			);
	return {
		engine,
		namespaces,
		acks,
		dispose() {
			unwatchRefusals();
			namespaces.dispose();
			engine.dispose();
		}
	};
}

export interface Sampling extends Part {
	/** The latest sample of this node (all namespaces), or null before the first interval ends. */
	latest(): Sample | null;
}

/** One sample per interval: taken, kept in history, delivered to dashboards and other nodes. */
export function startSampling(
	interval: number,
	{
		namespaces,
		sampler,
		history,
		admin,
		cluster,
		faults,
		acks,
		afterSample,
		rooms,
		roomSize,
		nextTurn
	}: {
		/** Waits for the host's next turn, between parts of a sample over thousands of namespaces. */
		nextTurn: () => Promise<void>;
		/** This node's members of a public room of a namespace (0 for none), for `sharedRooms`. */
		roomSize?: (namespace: string, room: string) => number;
		/** Called after each sample is delivered (the live windows send their changes then). */
		afterSample?: () => void;
		/** The rooms whose membership the history keeps. */
		rooms?: RoomTracker;
		namespaces: NamespaceCollector;
		acks?: AckTracker;
		sampler: Sampler;
		history: HistoryStore;
		admin: AdminNamespace;
		cluster: Cluster;
		faults: Faults;
	}
): Sampling {
	let latest: Sample | null = null;
	/** A sample is under way (over several turns): a tick that comes meanwhile is skipped. */
	let taking = false;
	let disposed = false;
	const deliver = (sample: Sample) => {
		latest = sample;
		sample.cluster = cluster.health();
		if (roomSize && cluster.enabled) {
			// Apart: a failure here leaves the sample without shares, not undelivered.
			try {
				addSharedRooms(sample, cluster.remoteSamples(), roomSize);
			} catch (err) {
				faults.record('shared rooms', err);
			}
		}
		history.add(sample, rooms?.read(sample.t));
		admin.deliver(sample);
		cluster.publish(sample);
		afterSample?.();
	};
	const tick = setInterval(
		faults.wrap('sample', () => {
			if (taking) return;
			namespaces.refresh();
			acks?.sweep();
			// With thousands of namespaces, a few hundred a turn, the host's work in between.
			taking = true;
			sampler
				.take(nextTurn)
				.then((sample) => {
					if (!disposed) deliver(sample);
				})
				.catch((err) => faults.record('sample', err))
				.finally(() => (taking = false));
		}),
		interval
	);
	// The agent must never keep the host's process alive.
	tick.unref();
	return {
		latest: () => latest,
		dispose: () => {
			disposed = true;
			clearInterval(tick);
		}
	};
}

/**
 * The dashboard and /metrics on the host's HTTP server: now, or once `io.attach()` gives `io` one
 * (see host-server.ts).
 */
export function serveHttp(
	io: Server,
	opts: Options,
	{
		faults,
		authenticator,
		metrics
	}: { faults: Faults; authenticator: Authenticator; metrics?: Metrics }
): Part {
	const metricsPath = opts.metrics ? opts.metrics.path : undefined;
	const served = [opts.dashboard && 'the dashboard', metrics && metricsPath && 'the metrics']
		.filter(Boolean)
		.join(' and ');
	if (!served) return { dispose() {} };
	const unmount = onHttpServer(io, opts.httpServer, served, (server) =>
		mountHttpRoutes({
			server,
			faults,
			dashboard: opts.dashboard && {
				path: opts.dashboard.path,
				config: {
					namespace: opts.namespace,
					socketPath: io.path(),
					auth: authenticator.methods,
					prefix: opts.dashboard.prefix
				}
			},
			metrics:
				metrics && metricsPath
					? {
							path: metricsPath,
							render: metrics.render,
							contentType: metrics.contentType,
							authorize: opts.metrics ? opts.metrics.authorize : undefined
						}
					: false
		})
	);
	return { dispose: unmount };
}
