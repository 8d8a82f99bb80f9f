/**
 * Rooms merged over nodes: whatever the nodes answered with, rows (this node's own, an older
 * node's) or tuples, every page of every order holds the rooms a plain sum over the nodes gives,
 * with their sizes per node and their traffic summed, and paging through them visits each once.
 */
import { describe, expect, test } from 'vitest';
import type { Page, RoomRow, RoomsQuery } from '../../../server/protocol/models.js';
import { mergeRooms, toRoomTuples } from '../../../server/agent/cluster/room-answers.js';

/** A small random generator, seeded, so that a failure can be replayed. */
function random(seed: number) {
	let s = seed;
	return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

/** Each node's rooms, as `Queries.roomRows` makes them: some names on several nodes, some sizes tied. */
function cluster(seed: number): { node: string; rows: RoomRow[] }[] {
	const rand = random(seed);
	const nodes = 1 + Math.floor(rand() * 4);
	return Array.from({ length: nodes }, (_, n) => {
		const node = `node-${n + 1}`;
		const rows: RoomRow[] = [];
		for (let i = 0; i < 40; i++) {
			if (rand() < 0.4) continue;
			const size = 1 + Math.floor(rand() * 4);
			const row: RoomRow = {
				namespace: rand() < 0.7 ? '/' : '/chat',
				name: `room-${i}`,
				size,
				nodes: { [node]: size }
			};
			if (rand() < 0.5) row.traffic = { broadcasts: Math.floor(rand() * 3), deliveries: size };
			rows.push(row);
		}
		return { node, rows };
	});
}

/** The rooms as a plain sum over the nodes, each once. */
function summed(nodes: { rows: RoomRow[] }[]): Map<string, RoomRow> {
	const rooms = new Map<string, RoomRow>();
	for (const { rows } of nodes) {
		for (const r of rows) {
			const key = `${r.namespace}#${r.name}`;
			const seen = rooms.get(key) ?? { namespace: r.namespace, name: r.name, size: 0, nodes: {} };
			seen.size += r.size;
			Object.assign(seen.nodes!, r.nodes);
			if (r.traffic) {
				seen.traffic ??= { broadcasts: 0, deliveries: 0 };
				seen.traffic.broadcasts += r.traffic.broadcasts;
				seen.traffic.deliveries += r.traffic.deliveries;
			}
			rooms.set(key, seen);
		}
	}
	return rooms;
}

const QUERIES: RoomsQuery[] = [
	{ limit: 7 },
	{ sort: 'size', order: 'asc', limit: 5 },
	{ sort: 'name', limit: 9 },
	{ sort: 'name', order: 'desc', limit: 4 }
];

describe('rooms merged over nodes', () => {
	test('every page, from rows, tuples or both, holds each room once with its summed figures', () => {
		for (let seed = 1; seed <= 300; seed++) {
			const nodes = cluster(seed);
			const expected = summed(nodes);
			const rand = random(seed * 7);
			// The first node's answer is its own rows; the others' tuples, or rows as an older node sends.
			const answers = nodes.map(({ node, rows }, i) =>
				i > 0 && rand() < 0.7 ? toRoomTuples(node, rows) : rows
			);
			for (const query of QUERIES) {
				const seen: RoomRow[] = [];
				let cursor: string | undefined;
				for (let pages = 0; pages < 100; pages++) {
					const page: Page<RoomRow> = mergeRooms(answers, { ...query, cursor }, []);
					expect(page.total, `seed ${seed}`).toBe(expected.size);
					seen.push(...page.rows);
					if (page.nextCursor === null) break;
					cursor = page.nextCursor;
				}
				expect(seen.length, `seed ${seed} ${JSON.stringify(query)}`).toBe(expected.size);
				for (const row of seen) expect(row).toEqual(expected.get(`${row.namespace}#${row.name}`));
				// In the query's order: by size (then id) or by name (then id), either way.
				const desc = (query.order ?? (query.sort === 'name' ? 'asc' : 'desc')) === 'desc';
				const value = (r: RoomRow) => (query.sort === 'name' ? r.name : r.size);
				for (let i = 1; i < seen.length; i++) {
					const [a, b] = [seen[i - 1], seen[i]];
					const order =
						value(a) < value(b)
							? -1
							: value(a) > value(b)
								? 1
								: `${a.namespace}#${a.name}` < `${b.namespace}#${b.name}`
									? -1
									: 1;
					expect(
						desc ? -order : order,
						`seed ${seed} ${JSON.stringify(query)} row ${i}`
					).toBeLessThan(0);
				}
			}
		}
	});

	test('tuples are a fraction of the rows they stand for', () => {
		const rows = cluster(3)[0].rows;
		expect(JSON.stringify(toRoomTuples('node-1', rows)).length).toBeLessThan(
			JSON.stringify(rows).length / 2
		);
	});
});
