/**
 * With `otel: true`, the Prometheus figures as OpenTelemetry instruments on the global meter, for
 * apps that export through an OTel SDK: every Prometheus metric, named `socketio.<name with dots>`
 * without the `_total` (which Prometheus exporters add to counters), with the same units and the
 * same bucket bounds. The histograms keep `seconds` in their names, as `bytes` is in the byte
 * counters': the SDK's Prometheus exporter (`@opentelemetry/exporter-prometheus`) turns dots into
 * underscores and adds `_total` to counters but no unit suffix, so its names are the agent's own.
 * `@opentelemetry/api` (a dependency of prom-client 15; the app's own beside prom-client 14) is
 * loaded only then. Observable instruments are read from the model when the SDK collects, as the
 * Prometheus collectors are at scrape time; the two histograms record as values come, since the API
 * has no observable histogram to hand the agent's own bucket counts to.
 */
import type * as OtelApi from '@opentelemetry/api';
import { AgentError } from '../base/errors.js';
import { packageRequire } from '../base/package-files.js';
import { HELP, NAMESPACE_COUNTERS } from './figures.js';
import type { AckListener } from '../observe/collectors/acks.js';
import type { NodeModel } from '../observe/model.js';
import type { HistogramBuckets, RoomAllowance } from '../options.js';
import { allowedBy } from './room-metrics.js';

export interface OtelSetup {
	/** Bounds in seconds, the Prometheus histograms' own (`metrics.buckets` or the defaults). */
	buckets: Required<HistogramBuckets>;
	/** `metrics.rooms`: the rooms counted one by one; absent, none (as for Prometheus). */
	rooms?: RoomAllowance;
}

export interface OtelMetrics {
	/** Records one heartbeat round-trip, in milliseconds. */
	observeRtt(ms: number): void;
	/** Records one acknowledgement, as the ack tracker counts it. */
	observeAck: AckListener;
	/** Stops reporting: the instruments' callback is removed from the meter. */
	dispose(): void;
}

export function createOtelMetrics(model: NodeModel, version: string, setup: OtelSetup): OtelMetrics {
	let api: typeof OtelApi;
	try {
		api = packageRequire()('@opentelemetry/api') as typeof OtelApi;
	} catch {
		throw new AgentError(
			'E_OPTIONS',
			'option "otel": cannot load @opentelemetry/api: run `npm install @opentelemetry/api` in your app, with an OpenTelemetry SDK that exports metrics'
		);
	}
	const meter = api.metrics.getMeter('sockscope', version);
	const sockets = meter.createObservableGauge('socketio.sockets', { description: HELP.sockets });
	const rooms = meter.createObservableGauge('socketio.rooms', { description: HELP.rooms });
	const counters = NAMESPACE_COUNTERS.map((figure) => ({
		figure,
		instrument: meter.createObservableCounter(`socketio.${figure.key.replaceAll('_', '.')}`, {
			description: figure.help,
			unit: figure.unit
		})
	}));
	const disconnections = meter.createObservableCounter('socketio.disconnections', {
		description: HELP.disconnections
	});
	const eventsIn = meter.createObservableCounter('socketio.events.received', {
		description: HELP.eventsReceived
	});
	const eventsOut = meter.createObservableCounter('socketio.events.sent', {
		description: HELP.eventsSent
	});
	const rtt = meter.createHistogram('socketio.heartbeat.rtt.seconds', {
		description: HELP.rtt,
		unit: 's',
		advice: { explicitBucketBoundaries: [...setup.buckets.heartbeatRtt] }
	});
	// The SDK takes `advice` bounds unless the app's own View for this instrument sets others.
	const ackLatency = meter.createHistogram('socketio.ack.latency.seconds', {
		description: HELP.ackLatency,
		unit: 's',
		advice: { explicitBucketBoundaries: [...setup.buckets.ackLatency] }
	});
	const ackTimeouts = meter.createObservableCounter('socketio.ack.timeouts', {
		description: HELP.ackTimeouts
	});
	const connectionErrors = meter.createObservableCounter('socketio.connection.errors', {
		description: HELP.connectionErrors
	});
	const allowed = setup.rooms !== undefined ? allowedBy(setup.rooms) : undefined;
	const roomBroadcasts = allowed
		? meter.createObservableCounter('socketio.room.broadcasts', { description: HELP.roomBroadcasts })
		: undefined;
	const roomDeliveries = allowed
		? meter.createObservableCounter('socketio.room.deliveries', { description: HELP.roomDeliveries })
		: undefined;

	const observables = [
		sockets,
		rooms,
		disconnections,
		eventsIn,
		eventsOut,
		ackTimeouts,
		connectionErrors,
		...(roomBroadcasts && roomDeliveries ? [roomBroadcasts, roomDeliveries] : []),
		...counters.map((c) => c.instrument)
	];
	const observe: OtelApi.BatchObservableCallback = (result) => {
		for (const s of model.namespaces.values()) {
			const namespace = { namespace: s.name };
			result.observe(sockets, s.nsp.sockets.size, namespace);
			result.observe(rooms, s.publicRooms.size, namespace);
			for (const { figure, instrument } of counters) {
				result.observe(instrument, figure.read(s), namespace);
			}
			for (const [reason, n] of s.reasons) {
				result.observe(disconnections, n, { namespace: s.name, reason });
			}
			for (const c of s.eventCounters()) {
				const event = { namespace: s.name, event: c.name };
				if (c.in > 0) result.observe(eventsIn, c.in, event);
				if (c.out > 0) result.observe(eventsOut, c.out, event);
				// The same attributes as the latency's points, so both read alike.
				if (c.ackIn !== null && c.ackIn.timeouts > 0) {
					result.observe(ackTimeouts, c.ackIn.timeouts, { ...event, direction: 'in' });
				}
				if (c.ackOut !== null && c.ackOut.timeouts > 0) {
					result.observe(ackTimeouts, c.ackOut.timeouts, { ...event, direction: 'out' });
				}
			}
			if (allowed && roomBroadcasts && roomDeliveries) {
				for (const c of s.roomTraffic.map.values()) {
					if (!allowed(s.name, c.name)) continue;
					const room = { namespace: s.name, room: c.name };
					if (c.broadcasts > 0) result.observe(roomBroadcasts, c.broadcasts, room);
					if (c.deliveries > 0) result.observe(roomDeliveries, c.deliveries, room);
				}
			}
		}
		for (const [code, n] of model.connectionErrors.counts) {
			result.observe(connectionErrors, n, { code });
		}
	};
	meter.addBatchObservableCallback(observe, observables);
	let open = true;
	return {
		observeRtt: (ms) => {
			if (open) rtt.record(ms / 1000);
		},
		observeAck: (stats, counter, direction, side, ms) => {
			if (!open) return;
			// Made once per side: an ack allocates nothing of the agent's (the SDK still hashes them).
			side.otelAttributes ??= { namespace: stats.name, event: counter.name, direction };
			ackLatency.record(ms / 1000, side.otelAttributes);
		},
		dispose: () => {
			open = false;
			meter.removeBatchObservableCallback(observe, observables);
		}
	};
}
