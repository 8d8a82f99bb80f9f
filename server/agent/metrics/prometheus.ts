/**
 * Prometheus exposition with the metric names existing Grafana boards for socket.io use. Counters
 * are read from the model at scrape time, so the hot path pays nothing for Prometheus. The `event`
 * label is bounded by the model's per-namespace cap (the rest is `_other`); no label holds a
 * socket id. In the app's own registry they sit beside the app's metrics, and leave it on close.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AgentError } from '../base/errors.js';
import { HELP, NAMESPACE_COUNTERS } from './figures.js';
import type { NamespaceStats, NodeModel } from '../observe/model.js';
import { registerAckMetrics } from './ack-metrics.js';
import { eachLabelledNamespace } from './labels.js';
import type { RoomAllowance } from '../options.js';
import { registerRoomMetrics } from './room-metrics.js';


export interface Metrics {
	readonly registry: Registry;
	/** Records one heartbeat round-trip, in milliseconds. */
	observeRtt(ms: number): void;
	render(): Promise<string>;
	contentType: string;
	/** Takes the agent's metrics out of the registry, leaving the app's. */
	dispose(): void;
}

export interface MetricsSetup {
	/** The app's registry; absent: one of the agent's own. */
	register?: Registry;
	/** prom-client's default process metrics too. */
	defaultMetrics: boolean;
	/** Rooms labelled one by one; none when absent. */
	rooms?: RoomAllowance;
	/** The heartbeat histogram's bounds in seconds (`metrics.buckets.heartbeatRtt`). */
	rttBuckets: readonly number[];
}

export function createMetrics(model: NodeModel, setup: MetricsSetup): Metrics {
	const registry = setup.register ?? new Registry();
	const before = new Set(names(registry));
	const added = () => names(registry).filter((name) => !before.has(name));
	try {
		if (setup.defaultMetrics) collectDefaultMetrics({ register: registry });
		dropMisnamedGauges(registry, before);
		register(model, registry, setup.rttBuckets);
		if (setup.rooms !== undefined) registerRoomMetrics(registry, model, setup.rooms);
	} catch (err) {
		for (const name of added()) registry.removeSingleMetric(name);
		// prom-client refuses a name registered twice: another agent, or the app's own default metrics.
		throw new AgentError(
			'E_OPTIONS',
			`option "metrics": ${(err as Error).message} (is another instrument() using this registry, or did the app already collect default metrics?)`
		);
	}
	const rtt = registry.getSingleMetric('socketio_heartbeat_rtt_seconds') as Histogram;
	// Only these leave on close: metrics the app registers later are the app's.
	const ours = added();
	return {
		registry,
		observeRtt: (ms) => rtt.observe(ms / 1000),
		render: () => registry.metrics(),
		contentType: registry.contentType,
		dispose: () => {
			for (const name of ours) registry.removeSingleMetric(name);
		}
	};
}

/**
 * prom-client's default metrics include gauges named `…_total` (active handles, requests,
 * resources), which Prometheus reserves for counters and `promtool check metrics` refuses.
 */
function dropMisnamedGauges(registry: Registry, before: Set<string>): void {
	for (const metric of registry.getMetricsAsArray()) {
		const { name, type } = metric as unknown as { name: string; type: string };
		if (!before.has(name) && type !== 'counter' && name.endsWith('_total')) {
			registry.removeSingleMetric(name);
		}
	}
}

function names(registry: Registry): string[] {
	return registry.getMetricsAsArray().map((metric) => metric.name);
}

function register(model: NodeModel, registry: Registry, rttBuckets: readonly number[]): void {
	const each = (fn: (stats: NamespaceStats, namespace: string) => void) =>
		eachLabelledNamespace(model, fn);

	new Gauge({
		name: 'socketio_sockets',
		help: HELP.sockets,
		labelNames: ['namespace'],
		registers: [registry],
		collect() {
			this.reset();
			each((s, namespace) => this.inc({ namespace }, s.nsp.sockets.size));
		}
	});
	new Gauge({
		name: 'socketio_rooms',
		help: HELP.rooms,
		labelNames: ['namespace'],
		registers: [registry],
		collect() {
			this.reset();
			each((s, namespace) => this.inc({ namespace }, s.publicRooms.size));
		}
	});

	for (const { key, help, read } of NAMESPACE_COUNTERS) {
		new Counter({
			name: `socketio_${key}_total`,
			help,
			labelNames: ['namespace'],
			registers: [registry],
			collect() {
				this.reset();
				each((s, namespace) => this.inc({ namespace }, read(s)));
			}
		});
	}

	new Counter({
		name: 'socketio_disconnections_total',
		help: HELP.disconnections,
		labelNames: ['namespace', 'reason'],
		registers: [registry],
		collect() {
			this.reset();
			each((s, namespace) => {
				for (const [reason, n] of s.reasons) this.inc({ namespace, reason }, n);
			});
		}
	});
	const perEvent = (name: string, help: string, read: (c: { in: number; out: number }) => number) =>
		new Counter({
			name,
			help,
			labelNames: ['namespace', 'event'],
			registers: [registry],
			collect() {
				this.reset();
				each((s, namespace) => {
					for (const c of s.eventCounters()) {
						const n = read(c);
						if (n > 0) this.inc({ namespace, event: c.name }, n);
					}
				});
			}
		});
	perEvent('socketio_events_received_total', HELP.eventsReceived, (c) => c.in);
	perEvent('socketio_events_sent_total', HELP.eventsSent, (c) => c.out);

	registerAckMetrics(registry, model);
	new Counter({
		name: 'socketio_connection_errors_total',
		help: HELP.connectionErrors,
		labelNames: ['code'],
		registers: [registry],
		collect() {
			this.reset();
			for (const [code, n] of model.connectionErrors.counts) this.inc({ code }, n);
		}
	});

	new Histogram({
		name: 'socketio_heartbeat_rtt_seconds',
		help: HELP.rtt,
		buckets: [...rttBuckets],
		registers: [registry]
	});
}
