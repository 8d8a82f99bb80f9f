/** Plain builders of sample shapes, shared by every producer of samples and history, and how samples travel as patches. */
import type { Json } from './json-patch.js';
import { TOP_NAMESPACES } from './limits.js';
import type { NamespaceSample, NamespaceSummary, TransportCounts } from './models.js';
import { keepFirst } from './top-n.js';
import {
	LEVEL_FIGURES,
	OTHER_NAMESPACES,
	SERIES_COUNT_FIGURES,
	TRANSPORTS
} from './vocabulary.js';

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

/** The figures of a namespace summary, summed across nodes and across folded namespaces. */
export const SUMMARY_FIGURES = [
	'sockets',
	'rooms',
	'connects',
	'disconnects',
	'recovered',
	'refused',
	'eventsIn',
	'eventsOut',
	'bytesIn',
	'bytesOut'
] as const;

/** A summary with nothing counted, holding no namespace yet. */
export function emptyNamespaceSummary(name: string): NamespaceSummary {
	const summary = { name, namespaces: 0 } as NamespaceSummary;
	for (const f of SUMMARY_FIGURES) summary[f] = 0;
	return summary;
}

/** Adds `row` (one namespace, or a sum of several) to `sum`, and counts the namespaces it holds. */
export function addNamespaceSummary(sum: NamespaceSummary, row: NamespaceSummary): void {
	for (const f of SUMMARY_FIGURES) sum[f] += row[f];
	sum.namespaces = (sum.namespaces ?? 0) + (row.namespaces ?? 1);
}

/** The most sockets first, then by name: the order of every "top namespaces" list. */
export function byLargest(a: { name: string; sockets: number }, b: { name: string; sockets: number }) {
	return b.sockets - a.sockets || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * The `limit` summaries with the most sockets, and the rest folded into one `OTHER_NAMESPACES`
 * row (absent when there is no rest): O(n · limit), not a sort of every namespace.
 */
export function topNamespaceSummaries(
	rows: Iterable<NamespaceSummary>,
	limit = TOP_NAMESPACES
): { namespaces: NamespaceSummary[]; otherNamespaces?: NamespaceSummary } {
	const all = emptyNamespaceSummary(OTHER_NAMESPACES);
	const top: NamespaceSummary[] = [];
	for (const row of rows) {
		addNamespaceSummary(all, row);
		keepFirst(top, row, byLargest, limit);
	}
	if ((all.namespaces ?? 0) <= top.length) return { namespaces: top };
	for (const row of top) {
		for (const f of SUMMARY_FIGURES) all[f] -= row[f];
		all.namespaces! -= row.namespaces ?? 1;
	}
	return { namespaces: top, otherNamespaces: all };
}
