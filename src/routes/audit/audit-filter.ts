/**
 * The Audit page's search and filters (user, command, outcome, time, free text), read from the
 * URL so a link reproduces the view. The agent pages the trail unfiltered, so the filter applies
 * here: to the entries loaded, and to every page an export reads.
 */
import type { AuditEntry } from '$protocol/commands';

export const OUTCOMES: AuditEntry['outcome'][] = ['ok', 'refused', 'invalid', 'failed'];

/** The time filter's choices: entries newer than this many milliseconds. */
export const SINCE: Record<string, { label: string; ms: number }> = {
	'15m': { label: 'last 15 minutes', ms: 15 * 60_000 },
	'1h': { label: 'last hour', ms: 3_600_000 },
	'24h': { label: 'last 24 hours', ms: 86_400_000 },
	'7d': { label: 'last 7 days', ms: 7 * 86_400_000 }
};

export interface AuditFilter {
	/** Part of the user's name. */
	user?: string;
	command?: string;
	outcome?: string;
	/** A key of `SINCE`. */
	since?: string;
	/** Part of the target, a label of the sockets it aimed at, namespace, reason, address or node. */
	text?: string;
}

const contains = (haystack: string | undefined, needle: string) =>
	haystack !== undefined && haystack.toLowerCase().includes(needle);

/** Whether `entry` passes every filter that is set; `now` anchors the time filter. */
export function matches(filter: AuditFilter, entry: AuditEntry, now: number): boolean {
	const user = filter.user?.trim().toLowerCase();
	if (user && !contains(entry.principal?.name, user)) return false;
	if (filter.command && entry.command !== filter.command) return false;
	if (filter.outcome && entry.outcome !== filter.outcome) return false;
	const since = filter.since ? SINCE[filter.since] : undefined;
	if (since && entry.t < now - since.ms) return false;
	const text = filter.text?.trim().toLowerCase();
	if (
		text &&
		![
			entry.target,
			...(entry.labels ?? []),
			entry.namespace,
			entry.reason,
			entry.address,
			entry.nodeId
		].some((field) => contains(field, text))
	)
		return false;
	return true;
}

export function isFiltered(filter: AuditFilter): boolean {
	return Object.values(filter).some((value) => value);
}
