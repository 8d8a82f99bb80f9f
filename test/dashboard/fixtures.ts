/** Samples and histories for the dashboard's unit tests, with only the fields that matter set. */
import type { History, NamespaceSample, Sample } from '../../server/protocol/models.js';
import { emptyNamespaceSample } from '../../server/protocol/samples.js';

export function namespace(name: string, fields: Partial<NamespaceSample> = {}): NamespaceSample {
	return { ...emptyNamespaceSample(name), ...fields };
}

export function sample(
	nodeId: string,
	t: number,
	namespaces: NamespaceSample[],
	fields: Partial<Sample> = {}
): Sample {
	return {
		nodeId,
		t,
		interval: 1000,
		namespaces,
		rtt: { p50: 0, p90: 0, p99: 0, max: 0, count: 0 },
		process: {
			cpu: 0,
			rss: 0,
			heapUsed: 0,
			heapTotal: 0,
			elu: 0,
			loopDelay: { p50: 0, p90: 0, p99: 0, max: 0, count: 0 },
			uptime: 0
		},
		faults: 0,
		...fields
	};
}

/** A one-namespace history: `sockets` and `connects` per bucket, one second apart from `t0`. */
export function history(
	nodeId: string,
	t0: number,
	sockets: number[],
	connects: number[]
): History {
	const zeros = sockets.map(() => 0);
	return {
		nodeId,
		step: 1000,
		t: sockets.map((_, i) => t0 + i * 1000),
		namespaces: {
			'/chat': {
				sockets,
				rooms: zeros,
				connects,
				refused: zeros,
				disconnects: zeros,
				recovered: zeros,
				eventsIn: zeros,
				eventsOut: zeros,
				bytesIn: zeros,
				bytesOut: zeros,
				reasons: { 'transport close': zeros.map((_, i) => (i === 1 ? 2 : 0)) }
			}
		},
		node: {
			cpu: zeros,
			rss: zeros,
			heapUsed: zeros,
			loopDelayP99: zeros,
			rttP50: zeros,
			rttP99: zeros,
			websocket: sockets,
			polling: zeros
		}
	};
}
