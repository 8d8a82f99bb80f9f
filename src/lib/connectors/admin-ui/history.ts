/**
 * admin-ui keeps no history, so the connector keeps what it has shown since the page opened (at
 * most an hour, per server) and answers history queries from it, in the agent's columnar shape:
 * a reconnection or a change of time range then redraws the charts instead of starting them over.
 */
import type { History, NamespaceSeries, Sample } from '$protocol/models';
import { NAMESPACE_SERIES } from '$protocol/samples';

const KEPT_MS = 3_600_000;

const FIGURES = NAMESPACE_SERIES;

export class SampleHistory {
	/** Per server, its samples in time order, without their top lists. */
	readonly #samples = new Map<string, Sample[]>();

	push(samples: Sample[]): void {
		for (const s of samples) {
			let list = this.#samples.get(s.nodeId);
			if (!list) this.#samples.set(s.nodeId, (list = []));
			list.push({
				...s,
				namespaces: s.namespaces.map((n) => ({ ...n, topEvents: [], topRooms: [] }))
			});
			const cutoff = s.t - KEPT_MS;
			let drop = 0;
			while (drop < list.length && list[drop].t < cutoff) drop++;
			if (drop) list.splice(0, drop);
		}
	}

	/** Everything kept; the dashboard's series store trims it to the range it shows. */
	all(): History[] {
		return [...this.#samples].map(([nodeId, samples]) => historyOf(nodeId, samples));
	}
}

function historyOf(nodeId: string, samples: Sample[]): History {
	const namespaces: Record<string, NamespaceSeries> = {};
	const zeros = () => samples.map(() => 0);
	samples.forEach((s, i) => {
		for (const ns of s.namespaces) {
			let series = namespaces[ns.name];
			if (!series) {
				series = { reasons: {} } as NamespaceSeries;
				for (const f of FIGURES) series[f] = zeros();
				namespaces[ns.name] = series;
			}
			for (const f of FIGURES) series[f][i] = ns[f];
			for (const [reason, n] of Object.entries(ns.reasons)) {
				series.reasons[reason] ??= zeros();
				series.reasons[reason][i] = n;
			}
		}
	});
	const transport = (key: 'websocket' | 'polling') =>
		samples.map((s) => s.namespaces.reduce((n, ns) => n + ns.transports[key], 0));
	return {
		nodeId,
		step: 1000,
		t: samples.map((s) => s.t),
		namespaces,
		node: {
			cpu: zeros(),
			rss: zeros(),
			heapUsed: zeros(),
			loopDelayP99: zeros(),
			rttP50: zeros(),
			rttP99: zeros(),
			websocket: transport('websocket'),
			polling: transport('polling')
		}
	};
}
