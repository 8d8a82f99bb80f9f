/**
 * Rooms that span nodes, counted over every node on the Overview's largest rooms (issue #28).
 *
 * Each node's sample lists its largest rooms with their sizes on that node, and the dashboard adds
 * the lists up. A room of 10 spread 4 + 3 + 3 may be among the largest of one node and not of the
 * other two (each has rooms of its own that are larger there), and would show 4. So each node also
 * reports its own share of the rooms that the other nodes list among their largest
 * (`sharedRooms`), and the dashboard adds those too: a room that any node lists is counted on every
 * node that holds some of it, one sample after it was first listed.
 *
 * Bounded: each other node contributes the rooms its dashboards could be shown
 * (`OVERVIEW_TOP_ROOMS` over all its namespaces), so a sample carries at most that many per other
 * node, and finding them costs a map lookup each. A room that no node lists is not counted, even
 * if its sum would rank it among the largest: exact top rooms would take several rounds between
 * the nodes, which this does not do.
 */
import type { RoomSize, Sample } from '../../protocol/models.js';
import { OVERVIEW_TOP_ROOMS } from '../../protocol/limits.js';
import { keepTop, type Scored } from '../../protocol/top-n.js';

/** Shares reported in one sample, however many nodes there are. */
const MAX_SHARED = 256;

/** Adds to each of `sample`'s namespaces this node's share of the rooms the other nodes list. */
export function addSharedRooms(
	sample: Sample,
	others: readonly Sample[],
	/** This node's number of members in a room of a namespace; 0 when it has none. */
	sizeOf: (namespace: string, room: string) => number
): void {
	const own = new Map(sample.namespaces.map((ns) => [ns.name, ns]));
	// What this node's own list already gives every dashboard (viewFor keeps the largest over all
	// namespaces): a room listed but cut there is reported as a share too, and the dashboard counts
	// a node's room once whichever way it came.
	const shown = new Set(largestOf(sample).map(({ item }) => key(item)));
	const wanted = new Map<string, Set<string>>();
	let count = 0;
	for (const other of others) {
		for (const { item } of largestOf(other)) {
			const ns = own.get(item.namespace);
			if (!own.has(item.namespace) || shown.has(key(item))) continue;
			let names = wanted.get(item.namespace);
			if (!names) wanted.set(item.namespace, (names = new Set()));
			if (names.has(item.name) || count >= MAX_SHARED) continue;
			names.add(item.name);
			count++;
		}
	}
	for (const ns of sample.namespaces) {
		const names = wanted.get(ns.name);
		if (!names) continue;
		const shared: RoomSize[] = [];
		for (const name of names) {
			const size = sizeOf(ns.name, name);
			if (size > 0) shared.push({ name, size });
		}
		if (shared.length) ns.sharedRooms = shared;
	}
}

const key = (room: { namespace: string; name: string }) => `${room.namespace}\u0000${room.name}`;

/** A node's largest rooms over all its namespaces, as many as the Overview shows. */
function largestOf(sample: Sample): Scored<{ namespace: string; name: string }>[] {
	const top: Scored<{ namespace: string; name: string }>[] = [];
	for (const ns of sample.namespaces ?? []) {
		for (const r of ns.topRooms ?? [])
			keepTop(top, { namespace: ns.name, name: r.name }, r.size, OVERVIEW_TOP_ROOMS);
	}
	return top;
}
