/**
 * With `otel: true`, the Prometheus figures as OpenTelemetry instruments on the global meter, for
 * apps that export through an OTel SDK. `@opentelemetry/api` (a dependency of prom-client) is
 * loaded only then. Observable instruments are read from the model when the SDK collects, as the Prometheus
 * collectors are at scrape time; only the heartbeat histogram records as it happens.
 */
import type * as OtelApi from '@opentelemetry/api';
import { AgentError } from '../base/errors.js';
import { packageRequire } from '../base/package-files.js';
import { HELP, NAMESPACE_COUNTERS, RTT_BUCKETS } from './figures.js';
import type { NodeModel } from '../observe/model.js';

export interface OtelMetrics {
	/** Records one heartbeat round-trip, in milliseconds. */
	observeRtt(ms: number): void;
	/** Stops reporting: the instruments' callback is removed from the meter. */
	dispose(): void;
}

export function createOtelMetrics(model: NodeModel, version: string): OtelMetrics {
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
	const rtt = meter.createHistogram('socketio.heartbeat.rtt', {
		description: HELP.rtt,
		unit: 's',
		advice: { explicitBucketBoundaries: RTT_BUCKETS }
	});

	const observables = [
		sockets,
		rooms,
		disconnections,
		eventsIn,
		eventsOut,
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
			}
		}
	};
	meter.addBatchObservableCallback(observe, observables);
	let open = true;
	return {
		observeRtt: (ms) => {
			if (open) rtt.record(ms / 1000);
		},
		dispose: () => {
			open = false;
			meter.removeBatchObservableCallback(observe, observables);
		}
	};
}
