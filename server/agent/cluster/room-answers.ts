/**
 * A node's rooms for a query that fans out, and their merge on the node that asked. A room's size
 * is summed over nodes before the rooms are paged, so each node answers with every room of the
 * query; on a cluster of 10 nodes with 1,000 rooms each, that is 10,000 rows to parse and merge
 * once a second for each dashboard on the Rooms page. As objects they cost the asking node about
 * 14 ms to inflate, parse and merge; as tuples (`[namespace index, name, size, broadcasts,
 * deliveries]`), merged into one record per room and turned into rows only for the page, about
 * 4 ms (test/bench/rooms-merge.ts).
 */
import type { Page, RoomRow, RoomsQuery } from '../../protocol/models.js';
import { roomRowKey, roomsDescending, rowId, type RowKey } from '../../protocol/paging.js';
import { pageOf, pageRooms } from '../base/paging.js';

/** A room of one node: its namespace's index in `RoomTuples.namespaces`, name, size, then traffic if known. */
export type RoomTuple =
	| [namespace: number, name: string, size: number]
	| [namespace: number, name: string, size: number, broadcasts: number, deliveries: number];

/** One node's rooms for a query, as nodes that ask for compact answers receive them. */
export interface RoomTuples {
	node: string;
	namespaces: string[];
	rows: RoomTuple[];
}

/** A node's rooms as tuples: what it sends to a node that asked for compact answers. */
export function toRoomTuples(node: string, rows: RoomRow[]): RoomTuples {
	const namespaces: string[] = [];
	const index = new Map<string, number>();
	const tuples: RoomTuple[] = rows.map((r) => {
		let i = index.get(r.namespace);
		if (i === undefined) index.set(r.namespace, (i = namespaces.push(r.namespace) - 1));
		return r.traffic
			? [i, r.name, r.size, r.traffic.broadcasts, r.traffic.deliveries]
			: [i, r.name, r.size];
	});
	return { node, namespaces, rows: tuples };
}

function isRoomTuples(answer: RoomRow[] | RoomTuples): answer is RoomTuples {
	return !Array.isArray(answer);
}

/** One room over every node that answered, until it is a row of the page. */
interface MergedRoom {
	namespace: string;
	name: string;
	size: number;
	/** Node id, size, node id, size, …: a row's `nodes`, made only for the rows of the page. */
	sizes: (string | number)[];
	traffic: { broadcasts: number; deliveries: number } | undefined;
}

/**
 * Rooms of the same name in the same namespace are one room: their sizes add up, per node too.
 * Each answer is a node's rows as objects (this node's own, or an older node's) or as tuples.
 */
export function mergeRooms(
	answers: (RoomRow[] | RoomTuples)[],
	query: RoomsQuery,
	missing: string[]
): Page<RoomRow> {
	// This node's own rows need no merge: no record for each room, no copy of every row.
	if (answers.length === 1 && !isRoomTuples(answers[0])) {
		return { ...pageRooms(answers[0], query), missingNodes: missing };
	}
	const byKey = new Map<string, MergedRoom>();
	const add = (
		namespace: string,
		name: string,
		size: number,
		broadcasts: number | undefined,
		deliveries: number | undefined
	): MergedRoom => {
		const key = rowId(namespace, name);
		let room = byKey.get(key);
		if (room === undefined) {
			room = { namespace, name, size: 0, sizes: [], traffic: undefined };
			byKey.set(key, room);
		}
		room.size += size;
		if (broadcasts !== undefined && deliveries !== undefined) {
			// Each node counts the broadcasts it sent and the deliveries it made.
			room.traffic ??= { broadcasts: 0, deliveries: 0 };
			room.traffic.broadcasts += broadcasts;
			room.traffic.deliveries += deliveries;
		}
		return room;
	};
	for (const answer of answers) {
		if (isRoomTuples(answer)) {
			for (const [ns, name, size, broadcasts, deliveries] of answer.rows) {
				add(answer.namespaces[ns], name, size, broadcasts, deliveries).sizes.push(
					answer.node,
					size
				);
			}
			continue;
		}
		for (const row of answer) {
			const room = add(
				row.namespace,
				row.name,
				row.size,
				row.traffic?.broadcasts,
				row.traffic?.deliveries
			);
			for (const [node, size] of Object.entries(row.nodes ?? {})) room.sizes.push(node, size);
		}
	}
	// A merged room has a row's namespace, name and size: it is keyed as rows are.
	const key = (r: MergedRoom): RowKey => roomRowKey(r, query);
	const page = pageOf(
		byKey.values(),
		key,
		roomsDescending(query),
		query.cursor,
		query.limit,
		toRow
	);
	return { ...page, missingNodes: missing };
}

function toRow(room: MergedRoom): RoomRow {
	const nodes: Record<string, number> = {};
	for (let i = 0; i < room.sizes.length; i += 2)
		nodes[room.sizes[i] as string] = room.sizes[i + 1] as number;
	return {
		namespace: room.namespace,
		name: room.name,
		size: room.size,
		nodes,
		...(room.traffic && { traffic: room.traffic })
	};
}
