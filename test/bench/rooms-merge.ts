/**
 * What one Rooms page read costs the node that asks, on a cluster: every node's rooms arrive
 * deflated and are inflated, parsed and merged into the page. Rows as objects (what older nodes
 * send) against tuples (room-answers.ts), in this one process:
 *
 *   npx tsx test/bench/rooms-merge.ts [nodes] [rooms per node]     default 10 × 1,000
 */
import { packAnswer, unpackAnswer } from '../../server/agent/cluster/packed-answers.js';
import {
	mergeRooms,
	toRoomTuples,
	type RoomTuples
} from '../../server/agent/cluster/room-answers.js';
import type { RoomRow } from '../../server/protocol/models.js';

const nodes = Number(process.argv[2] ?? 10);
const rooms = Number(process.argv[3] ?? 1000);
const REPS = 20;

/** The same 1,000 room names on every node, as in the cluster bench, 10 members each here. */
const perNode = Array.from({ length: nodes }, (_, n): RoomRow[] =>
	Array.from({ length: rooms }, (_, i) => ({
		namespace: '/',
		name: `room-${i}`,
		size: 10,
		nodes: { [`node-${n + 1}`]: 10 },
		traffic: { broadcasts: 0.4, deliveries: 4 }
	}))
);

async function timeMerge(answers: (RoomRow[] | RoomTuples)[]) {
	const packed = await Promise.all(answers.map((a) => packAnswer(a)));
	const times: number[] = [];
	for (let k = 0; k < REPS; k++) {
		const t = performance.now();
		const read = (await Promise.all(packed.map((p) => unpackAnswer(p)))) as (
			RoomRow[] | RoomTuples
		)[];
		mergeRooms(read, { limit: 100 }, []);
		times.push(performance.now() - t);
	}
	times.sort((a, b) => a - b);
	const bytes = packed.reduce((n, p) => n + JSON.stringify(p).length, 0);
	return { median: times[times.length >> 1], bytes };
}

const rows = await timeMerge(perNode);
const tuples = await timeMerge(perNode.map((r, n) => toRoomTuples(`node-${n + 1}`, r)));
console.log(`${nodes} nodes × ${rooms} rooms, the median of ${REPS} reads of the first page:`);
console.log(
	`  rows as objects: ${rows.median.toFixed(1)} ms to inflate, parse and merge; ${rows.bytes} B deflated`
);
console.log(`  rows as tuples:  ${tuples.median.toFixed(1)} ms; ${tuples.bytes} B deflated`);
