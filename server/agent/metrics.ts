/**
 * Prometheus exposition with the metric names existing Grafana boards for socket.io use. Counters
 * are read from the model at scrape time, so the hot path pays nothing for Prometheus. The `event`
 * label is bounded by the model's name table (event-names.ts) and the `namespace` label by
 * `MAX_LABELLED_NAMESPACES`, both in length and in number (the rest is `_other`); no label holds a
 * socket id.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { OTHER_EVENTS } from '../protocol/limits.js';
import { cutText } from './event-names.js';
import type { NamespaceStats, NodeModel } from './model.js';

export interface Metrics {
	readonly registry: Registry;
	/** Records one heartbeat round-trip, in milliseconds. */
	observeRtt(ms: number): void;
	render(): Promise<string>;
	contentType: string;
}

/**
 * Namespaces labelled one by one, the most sockets first; the rest share the label `_other`. A
 * server with a namespace per tenant (a regex or function parent) would otherwise add series
 * without bound, as clients pick the names.
 */
export const MAX_LABELLED_NAMESPACES = 50;

export function createMetrics(model: NodeModel): Metrics {
	const registry = new Registry();
	collectDefaultMetrics({ register: registry });
	/** Each namespace with its label; several may share `_other`, so values are added, never set. */
	const each = (fn: (stats: NamespaceStats, namespace: string) => void) => {
		const all = [...model.namespaces.values()];
		if (all.length > MAX_LABELLED_NAMESPACES)
			all.sort((a, b) => b.nsp.sockets.size - a.nsp.sockets.size);
		all.forEach((stats, i) =>
			fn(stats, i < MAX_LABELLED_NAMESPACES ? cutText(stats.name) : OTHER_EVENTS)
		);
	};

	new Gauge({
		name: 'socketio_sockets',
		help: 'Connected sockets',
		labelNames: ['namespace'],
		registers: [registry],
		collect() {
			this.reset();
			each((s, namespace) => this.inc({ namespace }, s.nsp.sockets.size));
		}
	});
	new Gauge({
		name: 'socketio_rooms',
		help: "Rooms, not counting each socket's private room",
		labelNames: ['namespace'],
		registers: [registry],
		collect() {
			this.reset();
			each((s, namespace) => this.inc({ namespace }, s.publicRooms.size));
		}
	});

	const counter = (name: string, help: string, read: (s: NamespaceStats) => number) =>
		new Counter({
			name,
			help,
			labelNames: ['namespace'],
			registers: [registry],
			collect() {
				this.reset();
				each((s, namespace) => this.inc({ namespace }, read(s)));
			}
		});
	counter('socketio_connections_total', 'Sockets connected', (s) => s.connects);
	counter(
		'socketio_connections_refused_total',
		'Connections refused by middleware',
		(s) => s.refused
	);
	counter('socketio_room_joins_total', 'Room joins', (s) => s.joins);
	counter('socketio_room_leaves_total', 'Room leaves', (s) => s.leaves);
	counter('socketio_bytes_received_total', 'Bytes received from clients', (s) => s.bytesIn);
	counter('socketio_bytes_sent_total', 'Bytes sent to clients', (s) => s.bytesOut);
	counter('socketio_broadcasts_total', 'Broadcast emits', (s) => s.broadcasts);

	new Counter({
		name: 'socketio_disconnections_total',
		help: 'Sockets disconnected, by socket.io reason',
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
	perEvent('socketio_events_received_total', 'Events received from clients', (c) => c.in);
	perEvent('socketio_events_sent_total', 'Events sent to clients', (c) => c.out);

	const rtt = new Histogram({
		name: 'socketio_heartbeat_rtt_seconds',
		help: 'Heartbeat round-trip time (engine.io ping/pong)',
		buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
		registers: [registry]
	});

	return {
		registry,
		observeRtt: (ms) => rtt.observe(ms / 1000),
		render: () => registry.metrics(),
		contentType: registry.contentType
	};
}
