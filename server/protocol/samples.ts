/** Plain builders of sample shapes, shared by every producer of samples and history. */
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
