/**
 * What a sample leaves out on its way to dashboards. The connection-error examples are the latest
 * few, not the interval's: they change every few seconds at most, yet were a tenth of every sample
 * (the demo's refused bot alone fills them). A sample whose examples are the ones its node's
 * previous sample carried goes without them, and the dashboard keeps the previous ones. Snapshots
 * carry them in full (they are built from the samples as taken, not as streamed).
 */
import type { Sample } from '../../protocol/models.js';

/** Nodes a stream to dashboards remembers something of; past that the least recent is forgotten. */
const MAX_NODES = 256;

/** Sets what a stream remembers of a node, keeping the map to the `MAX_NODES` most recent. */
export function rememberNode<T>(map: Map<string, T>, nodeId: string, value: T): void {
	map.delete(nodeId);
	map.set(nodeId, value);
	if (map.size > MAX_NODES) map.delete(map.keys().next().value!);
}

export function createSampleTrimmer(): (sample: Sample) => Sample {
	/** Per node, its examples as last streamed, as JSON. */
	const streamed = new Map<string, string>();
	return (sample) => {
		const errors = sample.connectionErrors;
		if (errors?.recent === undefined) return sample;
		const examples = JSON.stringify(errors.recent);
		if (streamed.get(sample.nodeId) === examples) {
			const { recent: _, ...rest } = errors;
			return { ...sample, connectionErrors: rest };
		}
		// A node forgotten sends its examples again with its next sample.
		rememberNode(streamed, sample.nodeId, examples);
		return sample;
	};
}
