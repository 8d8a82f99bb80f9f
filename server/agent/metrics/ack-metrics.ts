/**
 * Acknowledgement latency and timeouts for Prometheus, per namespace, event and direction. The
 * agent keeps its own bucket counts (see acks.ts), so a scrape reads them as they are: prom-client's
 * `Histogram.observe` would cost a label lookup on every acknowledgement.
 */
import { Counter, type Registry } from 'prom-client';
import type { AckSide } from '../observe/collectors/ack-side.js';
import { HELP } from './figures.js';
import { eachLabelledNamespace } from './labels.js';
import type { NodeModel } from '../observe/model.js';

type Labels = { namespace: string; event: string; direction: 'in' | 'out' };

/**
 * Every event's acknowledgement figures per label set. Namespaces past the label cap share
 * `_other`, so one label set may hold several counters' sides, whose figures are added.
 */
export function eachSide(model: NodeModel, fn: (labels: Labels, sides: AckSide[]) => void): void {
	const groups = new Map<string, { labels: Labels; sides: AckSide[] }>();
	const add = (labels: Labels, side: AckSide | null) => {
		if (!side) return;
		const key = `${labels.namespace}\0${labels.event}\0${labels.direction}`;
		const group = groups.get(key);
		if (group) group.sides.push(side);
		else groups.set(key, { labels, sides: [side] });
	};
	eachLabelledNamespace(model, (stats, namespace) => {
		for (const c of stats.eventCounters()) {
			add({ namespace, event: c.name, direction: 'in' }, c.ackIn);
			add({ namespace, event: c.name, direction: 'out' }, c.ackOut);
		}
	});
	for (const { labels, sides } of groups.values()) fn(labels, sides);
}

export const sum = (sides: AckSide[], read: (side: AckSide) => number) =>
	sides.reduce((total, side) => total + read(side), 0);

export function registerAckMetrics(registry: Registry, model: NodeModel): void {
	const name = 'socketio_ack_latency_seconds';
	const help = HELP.ackLatency;
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
			eachSide(model, (labels, sides) => {
				let cumulative = 0;
				// Every side has the agent's bounds (`metrics.buckets.ackLatency`): one array.
				sides[0].bounds.forEach((le, i) => {
					cumulative += sum(sides, (side) => side.buckets[i]);
					values.push({
						metricName: `${name}_bucket`,
						labels: { ...labels, le },
						value: cumulative
					});
				});
				values.push({
					metricName: `${name}_bucket`,
					labels: { ...labels, le: '+Inf' },
					value: sum(sides, (side) => side.count)
				});
				values.push({
					metricName: `${name}_sum`,
					labels,
					value: sum(sides, (side) => side.sumSeconds)
				});
				values.push({
					metricName: `${name}_count`,
					labels,
					value: sum(sides, (side) => side.count)
				});
			});
			return { name, help, type: 'histogram', aggregator: 'sum', values };
		}
	} as unknown as Parameters<Registry['registerMetric']>[0]);

	new Counter({
		name: 'socketio_ack_timeouts_total',
		help: HELP.ackTimeouts,
		labelNames: ['namespace', 'event', 'direction'],
		registers: [registry],
		collect() {
			this.reset();
			eachSide(model, (labels, sides) => {
				const timeouts = sum(sides, (side) => side.timeouts);
				if (timeouts > 0) this.inc(labels, timeouts);
			});
		}
	});
}
