/**
 * Acknowledgement latency and timeouts for Prometheus, per namespace, event and direction. The
 * agent keeps its own bucket counts (see acks.ts), so a scrape reads them as they are: prom-client's
 * `Histogram.observe` would cost a label lookup on every acknowledgement.
 */
import { Counter, type Registry } from 'prom-client';
import { ACK_BUCKETS, type AckSide } from './collectors/acks.js';
import type { NodeModel } from './model.js';

type Labels = { namespace: string; event: string; direction: 'in' | 'out' };

function eachSide(model: NodeModel, fn: (labels: Labels, side: AckSide) => void): void {
	for (const stats of model.namespaces.values()) {
		for (const c of stats.eventCounters()) {
			if (c.ackIn) fn({ namespace: stats.name, event: c.name, direction: 'in' }, c.ackIn);
			if (c.ackOut) fn({ namespace: stats.name, event: c.name, direction: 'out' }, c.ackOut);
		}
	}
}

export function registerAckMetrics(registry: Registry, model: NodeModel): void {
	const name = 'socketio_ack_latency_seconds';
	const help =
		'From an acknowledged event to its acknowledgement (in: answered by the server, out: by the client)';
	registry.registerMetric({
		name,
		help,
		type: 'histogram',
		aggregator: 'sum',
		get() {
			const values: {
				metricName: string;
				labels: Record<string, string | number>;
				value: number;
			}[] = [];
			eachSide(model, (labels, side) => {
				let cumulative = 0;
				ACK_BUCKETS.forEach((le, i) => {
					cumulative += side.buckets[i];
					values.push({
						metricName: `${name}_bucket`,
						labels: { ...labels, le },
						value: cumulative
					});
				});
				values.push({
					metricName: `${name}_bucket`,
					labels: { ...labels, le: '+Inf' },
					value: side.count
				});
				values.push({ metricName: `${name}_sum`, labels, value: side.sumSeconds });
				values.push({ metricName: `${name}_count`, labels, value: side.count });
			});
			return { name, help, type: 'histogram', aggregator: 'sum', values };
		}
	} as unknown as Parameters<Registry['registerMetric']>[0]);

	new Counter({
		name: 'socketio_ack_timeouts_total',
		help: 'Acknowledged events not answered within the agent\u2019s ackTimeout',
		labelNames: ['namespace', 'event', 'direction'],
		registers: [registry],
		collect() {
			this.reset();
			eachSide(model, (labels, side) => {
				if (side.timeouts > 0) this.inc(labels, side.timeouts);
			});
		}
	});
}
