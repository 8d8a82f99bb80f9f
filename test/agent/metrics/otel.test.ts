/**
 * `otel: true`: the same figures as OpenTelemetry instruments on the global meter, read by a real
 * OpenTelemetry SDK (a MeterProvider with a reader that collects on demand).
 */
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { afterEach, expect, test } from 'vitest';
import { startFixture, type Fixture } from '../../support/agent-fixture.js';

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
