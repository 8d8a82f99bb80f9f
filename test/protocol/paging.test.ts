import { describe, expect, test } from 'vitest';
import { MAX_PAGE_SIZE } from '../../server/protocol/limits.js';
import {
	decodeCursor,
	encodeCursor,
	pageAfter,
	roomRowKey,
	roomsDescending,
	socketRowKey,
	sortedByKey,
	type RowKey
} from '../../server/protocol/paging.js';
import type { Page, RoomRow, SocketRow } from '../../server/protocol/models.js';

const key = (n: number): RowKey => [n % 3, `id-${String(n).padStart(3, '0')}`];
const items = Array.from({ length: 25 }, (_, i) => i);

/** Every row of every page, following the cursors from the first page on. */
function walk(sorted: number[], desc: boolean, limit: number): number[] {
	const seen: number[] = [];
	let cursor: string | null = null;
	do {
		const after: RowKey | undefined = cursor === null ? undefined : decodeCursor(cursor)!;
		const page: Page<number> = pageAfter(sorted, key, desc, after, limit, (n) => n);
		seen.push(...page.rows);
		expect(page.total).toBe(sorted.length);
		cursor = page.nextCursor;
	} while (cursor !== null);
	return seen;
}

describe('keyset paging', () => {
	test('visits every row once, in key order, ascending and descending', () => {
		for (const desc of [false, true]) {
			const sorted = sortedByKey(items, key, desc);
			expect(walk(sorted, desc, 4)).toEqual(sorted);
			expect(new Set(sorted).size).toBe(items.length);
		}
		const asc = sortedByKey(items, key, false);
		expect(asc.slice(0, 3)).toEqual([0, 3, 6]);
	});

	test('a cursor still finds its place after the row it names is gone', () => {
		const sorted = sortedByKey(items, key, false);
		const first = pageAfter(sorted, key, false, undefined, 5, (n) => n);
		const without = sorted.filter((n) => n !== first.rows.at(-1));
		const next = pageAfter(without, key, false, decodeCursor(first.nextCursor!)!, 5, (n) => n);
		expect(next.rows).toEqual(sorted.slice(5, 10));
	});

	test('caps the page size and has no next page at the end', () => {
		const many = Array.from({ length: MAX_PAGE_SIZE + 10 }, (_, i) => i);
		const page = pageAfter(sortedByKey(many, key, false), key, false, undefined, 10_000, (n) => n);
		expect(page.rows.length).toBe(MAX_PAGE_SIZE);
		const last = pageAfter([1, 2], key, false, undefined, 5, (n) => n);
		expect(last.nextCursor).toBeNull();
		expect(pageAfter([1, 2], key, false, undefined, 5, (n) => n, true).nextCursor).not.toBeNull();
	});

	test('cursors round-trip, and anything else is refused', () => {
		expect(decodeCursor(encodeCursor([12.5, '/#a']))).toEqual([12.5, '/#a']);
		expect(decodeCursor(encodeCursor(['x"y', '/chat#b']))).toEqual(['x"y', '/chat#b']);
		for (const bad of ['', 'nope', '[1]', '[1,2]', '{"a":1}', '[null,"x"]', '[[1],"x"]'])
			expect(decodeCursor(bad)).toBeNull();
	});

	test('socket and room keys sort as the dashboard expects', () => {
		const row = { namespace: '/', id: 'a', rtt: null, eventsIn: 3 } as SocketRow;
		expect(socketRowKey(row, 'rtt')).toEqual([-1, '/#a']);
		expect(socketRowKey(row, 'eventsIn')).toEqual([3, '/#a']);
		const room: RoomRow = { namespace: '/chat', name: 'lobby', size: 4 };
		expect(roomRowKey(room, {})).toEqual([4, '/chat#lobby']);
		expect(roomRowKey(room, { sort: 'name' })).toEqual(['lobby', '/chat#lobby']);
		expect(roomsDescending({})).toBe(true);
		expect(roomsDescending({ sort: 'name' })).toBe(false);
		expect(roomsDescending({ sort: 'size', order: 'asc' })).toBe(false);
	});
});
