/**
 * `otel: true`: the same figures as OpenTelemetry instruments on the global meter, read by a real
 * OpenTelemetry SDK (a MeterProvider with a reader that collects on demand).
 */
import { metrics } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { afterEach, expect, test } from 'vitest';
import { startFixture, type Fixture } from '../../support/agent-fixture.js';
import { familiesOf, SOCKETIO_FAMILIES } from '../../support/metric-families.js';

/** A reader that exports nothing by itself: the test collects when it wants to look. */
class OnDemandReader extends MetricReader {
	protected async onForceFlush() {}
	protected async onShutdown() {}
}

let fx: Fixture | undefined;
let provider: MeterProvider | undefined;

afterEach(async () => {
	await fx?.close();
	await provider?.shutdown();
	metrics.disable();
	fx = provider = undefined;
});

/** Every data point of the metric `name`, as `attributes → value`. */
async function points(reader: MetricReader, name: string): Promise<Map<string, unknown>> {
	const { resourceMetrics } = await reader.collect();
	const found = new Map<string, unknown>();
	for (const scope of resourceMetrics.scopeMetrics) {
		for (const metric of scope.metrics) {
			if (metric.descriptor.name !== name) continue;
			for (const point of metric.dataPoints as DataPoint<unknown>[]) {
				found.set(JSON.stringify(point.attributes), point.value);
			}
		}
	}
	return found;
}

test('the sockets, connections and events are OpenTelemetry instruments on the global meter', async () => {
	const reader = new OnDemandReader();
	provider = new MeterProvider({ readers: [reader] });
	metrics.setGlobalMeterProvider(provider);
	fx = await startFixture({ otel: true });
	const a = await fx.client('/');
	await fx.client('/');
	a.emit('hello', 1);
	a.emit('hello', 2);

	expect(await points(reader, 'socketio.sockets')).toEqual(new Map([['{"namespace":"/"}', 2]]));
	expect((await points(reader, 'socketio.connections')).get('{"namespace":"/"}')).toBe(2);
	await expect
		.poll(async () =>
			(await points(reader, 'socketio.events.received')).get('{"namespace":"/","event":"hello"}')
		)
		.toBe(2);
});

/**
 * The Prometheus name OpenTelemetry's Prometheus exporter gives an instrument: dots as
 * underscores, `_total` for a counter, no unit suffix (test/package/otel-exporter.test.ts reads
 * the real exporter's page).
 */
function prometheusName(name: string, counter: boolean): string {
	const out = name.replaceAll('.', '_');
	return counter ? `${out}_total` : out;
}

/** `name{label="value",…}` with the labels sorted, so that both sides spell a series alike. */
function seriesKey(name: string, labels: Record<string, unknown>): string {
	const pairs = Object.entries(labels)
		.map(([k, v]) => `${k}=${JSON.stringify(String(v))}`)
		.sort();
	return `${name}{${pairs.join(',')}}`;
}

/** Every series the SDK collected, as the Prometheus exposition would list it. */
async function otelSeries(reader: MetricReader): Promise<Map<string, number>> {
	const { resourceMetrics } = await reader.collect();
	const series = new Map<string, number>();
	for (const scope of resourceMetrics.scopeMetrics) {
		for (const metric of scope.metrics) {
			const { name } = metric.descriptor;
			if (metric.dataPointType === DataPointType.HISTOGRAM) {
				const base = prometheusName(name, false);
				for (const point of metric.dataPoints) {
					const { buckets, sum, count } = point.value;
					let cumulative = 0;
					buckets.boundaries.forEach((le, i) => {
						cumulative += buckets.counts[i];
						series.set(seriesKey(`${base}_bucket`, { ...point.attributes, le }), cumulative);
					});
					series.set(seriesKey(`${base}_bucket`, { ...point.attributes, le: '+Inf' }), count);
					series.set(seriesKey(`${base}_sum`, point.attributes), sum ?? 0);
					series.set(seriesKey(`${base}_count`, point.attributes), count);
				}
				continue;
			}
			const counter = metric.dataPointType === DataPointType.SUM && metric.isMonotonic;
			const base = prometheusName(name, counter);
			for (const point of metric.dataPoints as DataPoint<number>[]) {
				series.set(seriesKey(base, point.attributes), point.value);
			}
		}
	}
	return series;
}

/** Every `socketio_` series of a Prometheus exposition. */
function prometheusSeries(exposition: string): Map<string, number> {
	const series = new Map<string, number>();
	const line = /^(socketio_\w+)(?:\{([^}]*)\})? (\S+)$/gm;
	for (const [, name, labels = '', value] of exposition.matchAll(line)) {
		const parsed: Record<string, string> = {};
		for (const [, k, v] of labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) parsed[k] = JSON.parse(`"${v}"`);
		series.set(seriesKey(name, parsed), value === '+Inf' ? Infinity : Number(value));
	}
	return series;
}

/** The two maps' differences, for a message that shows what differs; empty when they agree. */
function differences(prom: Map<string, number>, otel: Map<string, number>): string[] {
	const out: string[] = [];
	for (const [key, value] of prom) {
		const other = otel.get(key);
		if (other === undefined) out.push(`${key}: ${value} in Prometheus, missing in OpenTelemetry`);
		// Sums of seconds may differ in the last bits: added in another order.
		else if (Math.abs(other - value) > 1e-9 * Math.max(1, Math.abs(value))) {
			out.push(`${key}: ${value} in Prometheus, ${other} in OpenTelemetry`);
		}
	}
	for (const key of otel.keys()) {
		if (!prom.has(key)) out.push(`${key}: in OpenTelemetry only`);
	}
	return out;
}

test('every Prometheus metric comes out of the SDK with the same name, labels and values', async () => {
	const reader = new OnDemandReader();
	provider = new MeterProvider({ readers: [reader] });
	metrics.setGlobalMeterProvider(provider);
	fx = await startFixture(
		{ otel: true, ackTimeout: 500, metrics: { path: '/metrics', rooms: ['lobby'] } },
		// Heartbeats every 300 ms, so that the RTT histogram has values on both sides.
		{ pingInterval: 300, pingTimeout: 5000 },
		(io) => {
			io.of('/locked').use((_socket, next) => next(new Error('not today')));
			io.on('connection', (socket) => {
				void socket.join('lobby');
				socket.on('quick', (done: () => void) => done());
			});
		}
	);
	const a = await fx.client('/');
	await fx.client('/');
	(await fx.client('/')).disconnect();
	// Answers the server's `ask`; the other has no handler for it, so its ack times out.
	a.on('ask', (done: () => void) => done());
	for (let i = 0; i < 12; i++) await a.emitWithAck('quick');
	a.emit('hello', 1);
	for (const socket of fx.io.of('/').sockets.values()) socket.emit('ask', () => {});
	fx.io.to('lobby').emit('news', 'x');
	await expect(fx.client('/locked')).rejects.toThrow('not today');
	await expect(fx.client('/gone')).rejects.toThrow();

	const scrape = async () => prometheusSeries(await (await fetch(`${fx!.url}/metrics`)).text());
	// Wait for every figure to be there (the timeout is counted by the next sweep, a heartbeat
	// needs its pong), then for a moment when both exporters agree: a heartbeat may land between
	// the two reads.
	await expect
		.poll(async () => {
			const prom = await scrape();
			return [
				prom.get(seriesKey('socketio_ack_latency_seconds_count', { namespace: '/', event: 'quick', direction: 'in' })),
				prom.get(seriesKey('socketio_ack_latency_seconds_count', { namespace: '/', event: 'ask', direction: 'out' })),
				prom.get(seriesKey('socketio_ack_timeouts_total', { namespace: '/', event: 'ask', direction: 'out' })),
				prom.get(seriesKey('socketio_room_broadcasts_total', { namespace: '/', room: 'lobby' })),
				(prom.get('socketio_heartbeat_rtt_seconds_count{}') ?? 0) > 0,
				[...prom.keys()].filter((k) => k.startsWith('socketio_connection_errors_total')).length,
				prom.get(seriesKey('socketio_disconnections_total', { namespace: '/', reason: 'client namespace disconnect' }))
			];
		}, { timeout: 20_000 })
		.toEqual([12, 1, 1, 1, true, 2, 1]);
	await expect
		.poll(async () => differences(await scrape(), await otelSeries(reader)), { timeout: 20_000 })
		.toEqual([]);

	// Every family of the exposition, with its unit: none left to Prometheus alone.
	expect(familiesOf((await scrape()).keys())).toEqual(SOCKETIO_FAMILIES);
}, 60_000);

test('the OpenTelemetry histograms take the bounds of metrics.buckets', async () => {
	const reader = new OnDemandReader();
	provider = new MeterProvider({ readers: [reader] });
	metrics.setGlobalMeterProvider(provider);
	const ackLatency = [0.001, 0.5, 2];
	fx = await startFixture({ otel: true, metrics: { buckets: { ackLatency } } }, {}, (io) =>
		io.on('connection', (socket) => socket.on('quick', (done: () => void) => done()))
	);
	const a = await fx.client('/');
	await a.emitWithAck('quick');
	const point = async () => {
		const { resourceMetrics } = await reader.collect();
		const metric = resourceMetrics.scopeMetrics
			.flatMap((s) => s.metrics)
			.find((m) => m.descriptor.name === 'socketio.ack.latency.seconds');
		return metric?.dataPointType === DataPointType.HISTOGRAM ? metric.dataPoints[0] : undefined;
	};
	await expect.poll(async () => (await point())?.value.count).toBe(1);
	expect((await point())!.value.buckets.boundaries).toEqual(ackLatency);
	expect((await point())!.attributes).toEqual({ namespace: '/', event: 'quick', direction: 'in' });
});
