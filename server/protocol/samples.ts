/** Plain builders of sample shapes, shared by every producer of samples and history, and how samples travel as patches. */
import type { Json } from './json-patch.js';
import type { NamespaceSample, TransportCounts } from './models.js';
import { LEVEL_FIGURES, SERIES_COUNT_FIGURES, TRANSPORTS } from './vocabulary.js';

/** No socket on any transport. */
export function emptyTransportCounts(): TransportCounts {
	const counts = {} as TransportCounts;
	for (const t of TRANSPORTS) counts[t] = 0;
	return counts;
}

/** A namespace sample with nothing counted yet: the shape every producer fills in. */
export function emptyNamespaceSample(name: string): NamespaceSample {
	return {
		name,
		sockets: 0,
		rooms: 0,
		transports: emptyTransportCounts(),
		connects: 0,
		refused: 0,
		disconnects: 0,
		recovered: 0,
		reasons: {},
		eventsIn: 0,
		eventsOut: 0,
		bytesIn: 0,
		bytesOut: 0,
		broadcasts: 0,
		broadcastRecipients: 0,
		joins: 0,
		leaves: 0,
		topEvents: [],
		topRooms: []
	};
}

/** The numeric series of a namespace's history, in the order of `NamespaceSeries`. */
export const NAMESPACE_SERIES = [...LEVEL_FIGURES, ...SERIES_COUNT_FIGURES] as const;

/**
 * A dashboard that sends `auth.samples` set to this in its handshake receives each node's samples
 * as patches (`stats:patch`) after that node's first whole one (`stats:sample`): most of a sample
 * repeats the one before, and a dashboard over many nodes receives one sample per node per second.
 */
export const SAMPLES_AS_PATCHES = 'patches';

/** One node's sample as what changed since the previous sample this dashboard received of it. */
export interface SamplePatch {
	nodeId: string;
	/** A patch of json-patch.ts, against that previous sample. */
	changes: Json;
}
