/**
 * Merging the answers of several nodes into one: pages stay in order across nodes, and the nodes
 * that did not answer are named. Rooms are merged in room-answers.ts.
 */
import { DISCONNECT_PATTERN_SESSIONS } from '../../protocol/limits.js';
import type {
	DisconnectEntry,
	DisconnectPatterns,
	DisconnectRow,
	DisconnectsQuery,
	NamespaceSummary,
	NamespacesPage,
	NamespacesQuery,
	Page,
	SocketRow,
	SocketsQuery
} from '../../protocol/models.js';
import {
	disconnectKey,
	namespaceRowKey,
	namespacesDescending,
	pageAfter,
	socketRowKey,
	socketSortOf,
	sortedByKey
} from '../../protocol/paging.js';
import {
	addNamespaceSummary,
	emptyNamespaceSummary,
	SUMMARY_FIGURES
} from '../../protocol/samples.js';
import { OTHER_NAMESPACES } from '../../protocol/vocabulary.js';
import { pageOf } from '../base/paging.js';
import type { DisconnectPatternsPart } from '../observe/disconnects.js';

/**
 * Each node answered with its own first rows after the cursor; the merged page is the first
 * `limit` of them all, and there is more if any node had more or rows were left over.
 */
export function mergeSocketPages(
	pages: Page<SocketRow>[],
	query: SocketsQuery,
	missing: string[]
): Page<SocketRow> {
	const sort = socketSortOf(query);
	const key = (r: SocketRow) => socketRowKey(r, sort);
	const desc = query.order === 'desc';
	const rows = sortedByKey(
		pages.flatMap((p) => p.rows),
		key,
		desc
	);
	const merged = pageAfter(
		rows,
		key,
		desc,
		undefined,
		query.limit,
		(r) => r,
		pages.some((p) => p.nextCursor !== null)
	);
	return { ...merged, total: pages.reduce((n, p) => n + p.total, 0), missingNodes: missing };
}

/**
 * One node's answer to `namespaces:query`: a page, or (from a node of an earlier version) every
 * namespace it has, which is paged here as that node would have.
 */
export type NamespacesAnswer = NamespacesPage | NamespaceSummary[];

function asPage(answer: NamespacesAnswer, query: NamespacesQuery): NamespacesPage {
	if (!Array.isArray(answer)) return answer;
	const text = query.text?.toLowerCase();
	const names = query.names && new Set(query.names);
	const rows = answer.filter(
		(n) => (!text || n.name.toLowerCase().includes(text)) && (!names || names.has(n.name))
	);
	const all = emptyNamespaceSummary(OTHER_NAMESPACES);
	for (const row of rows) addNamespaceSummary(all, row);
	const page = pageOf(
		rows,
		(r) => namespaceRowKey(r, query),
		namespacesDescending(query),
		query.cursor,
		query.limit,
		(r) => r
	);
	return { ...page, all };
}

/**
 * The nodes' pages as one: a namespace on several nodes is one row, its figures summed. Each node
 * sent its own first rows after the cursor, so by name the merged page is exact; by a figure, a
 * namespace whose figures are spread over nodes is ranked by what the nodes' pages held (see
 * `withExactRows` for its figures). `total` and `all.namespaces` count the namespaces of the node
 * that has the most: a namespace on several nodes is one, and no node sends every name.
 */
export function mergeNamespaces(
	answers: NamespacesAnswer[],
	query: NamespacesQuery,
	missing: string[]
): NamespacesPage {
	const pages = answers.map((a) => asPage(a, query));
	if (pages.length === 1) return { ...pages[0], missingNodes: missing };
	const byName = new Map<string, NamespaceSummary>();
	const all = emptyNamespaceSummary(OTHER_NAMESPACES);
	let total = 0;
	for (const page of pages) {
		total = Math.max(total, page.total);
		for (const f of SUMMARY_FIGURES) all[f] += page.all[f];
		for (const row of page.rows) {
			const seen = byName.get(row.name);
			if (!seen) byName.set(row.name, { ...row });
			else for (const f of SUMMARY_FIGURES) seen[f] += row[f];
		}
	}
	all.namespaces = total;
	const page = pageOf(
		byName.values(),
		(r) => namespaceRowKey(r, query),
		namespacesDescending(query),
		query.cursor,
		query.limit,
		(r) => r,
		pages.some((p) => p.nextCursor !== null)
	);
	return { ...page, total, all, missingNodes: missing };
}

/**
 * A merged page whose rows' figures are replaced by their exact sums over the nodes (`exact`,
 * every node's answer for those names alone), the rows put back in order. The cursor stays the
 * one the merge made, so that the next page starts where the nodes' pages ended.
 */
export function withExactRows(
	page: NamespacesPage,
	exact: NamespacesAnswer[],
	query: NamespacesQuery
): NamespacesPage {
	const names = { ...query, names: page.rows.map((r) => r.name), cursor: undefined };
	const sums = new Map<string, NamespaceSummary>();
	for (const answer of exact) {
		for (const row of asPage(answer, { ...names, limit: names.names.length }).rows) {
			const seen = sums.get(row.name);
			if (!seen) sums.set(row.name, { ...row });
			else for (const f of SUMMARY_FIGURES) seen[f] += row[f];
		}
	}
	const rows = sortedByKey(
		page.rows.map((r) => sums.get(r.name) ?? r),
		(r) => namespaceRowKey(r, query),
		namespacesDescending(query)
	);
	return { ...page, rows };
}

/**
 * A snapshot's namespaces from the first page of the largest: those, and the rest (every namespace
 * the page summed in `all`, less the page's) as one `OTHER_NAMESPACES` row, absent when none.
 */
export function topAndRest(page: NamespacesPage): {
	namespaces: NamespaceSummary[];
	otherNamespaces?: NamespaceSummary;
} {
	const count = (page.all.namespaces ?? 0) - page.rows.length;
	if (count <= 0) return { namespaces: page.rows };
	const rest = { ...page.all, name: OTHER_NAMESPACES, namespaces: count };
	for (const row of page.rows) for (const f of SUMMARY_FIGURES) rest[f] -= row[f];
	return { namespaces: page.rows, otherNamespaces: rest };
}

/**
 * The nodes' pages of disconnects as one page, newest first across the nodes, its rows grouped
 * (`groupDisconnects`). The page holds `limit` disconnects, however many rows they make.
 */
export function mergeDisconnectPages(
	pages: Page<DisconnectEntry>[],
	query: DisconnectsQuery,
	missing: string[]
): Page<DisconnectRow> {
	const entries = sortedByKey(
		pages.flatMap((p) => p.rows),
		disconnectKey,
		true
	);
	const merged = pageAfter(
		entries,
		disconnectKey,
		true,
		undefined,
		query.limit,
		(e) => e,
		pages.some((p) => p.nextCursor !== null)
	);
	return {
		rows: groupDisconnects(merged.rows),
		total: pages.reduce((n, p) => n + p.total, 0),
		nextCursor: merged.nextCursor,
		missingNodes: missing
	};
}

/** Whose disconnect it was, for grouping: the host's label, or the address without one. */
function clientOf(e: DisconnectEntry): string {
	return e.label !== null ? `label:${e.label}` : `address:${e.address}`;
}

/**
 * Folds consecutive disconnects (newest first) of the same client for the same reason into one
 * row: a client that keeps reconnecting and dropping is one line with its count and median time
 * connected, where a list of every drop would bury everyone else. A client that dropped for
 * different reasons keeps one row per run of each. Rows of one page only: a run that goes on past
 * the page's end starts the next page's first row.
 */
export function groupDisconnects(entries: readonly DisconnectEntry[]): DisconnectRow[] {
	const rows: DisconnectRow[] = [];
	let run: DisconnectEntry[] = [];
	const flush = () => {
		if (run.length === 0) return;
		const [first] = run;
		rows.push({
			...first,
			count: run.length,
			medianDuration: median(run.map((e) => e.duration)) ?? first.duration,
			...(run.length > 1 && { group: run })
		});
		run = [];
	};
	for (const e of entries) {
		const last = run.at(-1);
		if (last !== undefined && (clientOf(last) !== clientOf(e) || last.reason !== e.reason)) flush();
		run.push(e);
	}
	flush();
	return rows;
}

/** The nodes' parts of a client's patterns, summed; sessions newest first across the nodes. */
export function mergeDisconnectPatterns(
	parts: DisconnectPatternsPart[],
	missing: string[]
): DisconnectPatterns {
	const byReason: Record<string, number> = {};
	const namespaces: Record<string, number> = {};
	const sessions: [number, number][] = [];
	let total = 0;
	let since = Infinity;
	for (const part of parts) {
		total += part.total;
		since = Math.min(since, part.since);
		for (const [reason, n] of Object.entries(part.byReason))
			byReason[reason] = (byReason[reason] ?? 0) + n;
		for (const [name, n] of Object.entries(part.namespaces))
			namespaces[name] = (namespaces[name] ?? 0) + n;
		sessions.push(...part.sessions);
	}
	sessions.sort((a, b) => b[0] - a[0]);
	const durations = sessions.map((s) => s[1]);
	return {
		since: Number.isFinite(since) ? since : Date.now(),
		total,
		byReason,
		namespaces,
		durations: durations.slice(0, DISCONNECT_PATTERN_SESSIONS),
		medianDuration: median(durations),
		missingNodes: missing
	};
}

/** The median of some values, or null for none. */
export function median(values: readonly number[]): number | null {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}
