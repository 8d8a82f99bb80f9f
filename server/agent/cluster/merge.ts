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
	Page,
	SocketRow,
	SocketsQuery
} from '../../protocol/models.js';
import {
	disconnectKey,
	pageAfter,
	socketRowKey,
	socketSortOf,
	sortedByKey
} from '../../protocol/paging.js';
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

/** Namespace totals summed over nodes. */
export function mergeNamespaces(lists: NamespaceSummary[][]): NamespaceSummary[] {
	const byName = new Map<string, NamespaceSummary>();
	for (const n of lists.flat()) {
		const seen = byName.get(n.name);
		if (!seen) {
			byName.set(n.name, { ...n });
			continue;
		}
		for (const key of [
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
		] as const) {
			seen[key] += n[key];
		}
	}
	return [...byName.values()];
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
		for (const [reason, n] of Object.entries(part.byReason)) byReason[reason] = (byReason[reason] ?? 0) + n;
		for (const [name, n] of Object.entries(part.namespaces)) namespaces[name] = (namespaces[name] ?? 0) + n;
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
