/** Namespaces pages of several nodes merged: one row per namespace, figures summed, in order. */
import { describe, expect, test } from 'vitest';
import { mergeNamespaces, topAndRest, withExactRows } from '../../../server/agent/cluster/merge.js';
import type { NamespaceSummary, NamespacesPage, NamespacesQuery } from '../../../server/protocol/models.js';
import { addNamespaceSummary, emptyNamespaceSummary } from '../../../server/protocol/samples.js';
import { OTHER_NAMESPACES } from '../../../server/protocol/vocabulary.js';
import { pageOf } from '../../../server/agent/base/paging.js';
import { namespaceRowKey, namespacesDescending } from '../../../server/protocol/paging.js';

function row(name: string, sockets: number): NamespaceSummary {
	return { ...emptyNamespaceSummary(name), namespaces: undefined, sockets, connects: sockets };
}

/** A node's answer, as queries.ts makes it. */
function nodePage(rows: NamespaceSummary[], query: NamespacesQuery): NamespacesPage {
	const matched = rows.filter(
		(r) =>
			(!query.names || query.names.includes(r.name)) &&
			(!query.text || r.name.toLowerCase().includes(query.text.toLowerCase()))
	);
	const all = emptyNamespaceSummary(OTHER_NAMESPACES);
	for (const r of matched) addNamespaceSummary(all, r);
	const page = pageOf(matched, (r) => namespaceRowKey(r, query), namespacesDescending(query), query.cursor, query.limit, (r) => r);
	return { ...page, all };
}

// /a is spread thin over both nodes; /b and /c are large on one each.
const nodeA = [row('/a', 3), row('/b', 5), row('/d', 1)];
const nodeB = [row('/a', 3), row('/c', 4)];

describe('namespaces across nodes', () => {
	test('by name, the merged pages are exact and page on', () => {
		const query: NamespacesQuery = { sort: 'name', limit: 2 };
		const first = mergeNamespaces([nodePage(nodeA, query), nodePage(nodeB, query)], query, []);
		expect(first.rows.map((r) => [r.name, r.sockets])).toEqual([['/a', 6], ['/b', 5]]);
		const next = { ...query, cursor: first.nextCursor! };
		const second = mergeNamespaces([nodePage(nodeA, next), nodePage(nodeB, next)], next, []);
		expect(second.rows.map((r) => r.name)).toEqual(['/c', '/d']);
		expect(second.nextCursor).toBeNull();
	});

	test('by sockets, the second look sums a row over every node, and the rows are put in order', () => {
		const query: NamespacesQuery = { limit: 1 };
		const merged = mergeNamespaces([nodePage(nodeA, query), nodePage(nodeB, query)], query, []);
		// Each node's largest alone: /b (5) and /c (4); /a (6 in all) was in neither page.
		expect(merged.rows.map((r) => r.name)).toEqual(['/b']);
		const names = { names: ['/b', '/a'], limit: 2 };
		const fixed = withExactRows(
			{ ...merged, rows: [row('/b', 5), row('/a', 3)] },
			[nodePage(nodeA, names), nodePage(nodeB, names)],
			query
		);
		expect(fixed.rows.map((r) => [r.name, r.sockets])).toEqual([['/a', 6], ['/b', 5]]);
	});

	test('the snapshot gets the top rows and the rest summed, with how many', () => {
		const query: NamespacesQuery = { limit: 2 };
		const merged = mergeNamespaces([nodePage(nodeA, query), nodePage(nodeB, query)], query, []);
		const { namespaces, otherNamespaces } = topAndRest(merged);
		expect(namespaces).toHaveLength(2);
		const shown = namespaces.reduce((n, r) => n + r.sockets, 0);
		expect(otherNamespaces?.sockets).toBe(16 - shown);
		// Node A has the most namespaces (3): the count is at least that, never a double count of /a.
		expect(otherNamespaces?.namespaces).toBe(1);
	});

	test('an older node answering every namespace as a list is paged like the others', () => {
		const query: NamespacesQuery = { sort: 'name', limit: 10, text: 'A' };
		const merged = mergeNamespaces([nodePage(nodeA, query), nodeB], query, []);
		expect(merged.rows.map((r) => [r.name, r.sockets])).toEqual([['/a', 6]]);
	});
});
