/**
 * Samples as patches, for the dashboards that ask (`SAMPLES_AS_PATCHES`): per group of dashboards
 * that receive the same stream, each node's sample as they last received it, and what changed
 * since. A dashboard over ten nodes receives ten samples a second, and most of each repeats the
 * one before; what is left is about a third of it.
 */
import {
	UNCHANGED,
	diffJson,
	type Json,
	type Sample,
	type SamplePatch
} from '../../protocol/index.js';
import { rememberNode } from './sample-stream.js';

export type Streamed = { whole: Sample } | { patch: SamplePatch };

export interface PatchStream {
	/** What to send of this node's sample: whole the first time (or after `restart`), else a patch. */
	next(sample: Sample): Streamed;
	/** Every node's next sample goes whole: a dashboard joined, and holds none of them yet. */
	restart(): void;
}

export function createPatchStream(): PatchStream {
	/** Per node, its sample as the group received it: parsed back from JSON, as a dashboard holds it. */
	const received = new Map<string, Json>();
	return {
		next(sample) {
			const json = JSON.parse(JSON.stringify(sample)) as Json;
			const prev = received.get(sample.nodeId);
			// A node forgotten (past `rememberNode`'s bound) has its next sample sent whole.
			rememberNode(received, sample.nodeId, json);
			if (prev === undefined) return { whole: sample };
			const changes = diffJson(prev, json);
			// A sample identical to the last still arrives: it is what tells the node is alive.
			return { patch: { nodeId: sample.nodeId, changes: changes === UNCHANGED ? {} : changes } };
		},
		restart() {
			received.clear();
		}
	};
}
