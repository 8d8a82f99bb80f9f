/**
 * Acknowledgement figures and failed connections across nodes, from recent samples. Counts add up
 * over nodes and intervals; a p50 is the mean of the intervals' p50s weighted by their counts (an
 * estimate: the agent sends percentiles, not values), a p99 and a max are the worst seen.
 */
import type { AckDirection, ConnectionErrorExample, Sample } from '$protocol/models';
import type { NodeEntry } from './nodes';
import { healthOf } from './nodes';

export interface AckRow {
	namespace: string;
	name: string;
	direction: AckDirection;
	/** Acknowledgements per second. */
	rate: number;
	count: number;
	timeouts: number;
	p50: number | null;
	p99: number | null;
	max: number | null;
}

/** Every acknowledged event in the samples, the slowest p99 first (timeouts count as slowest). */
export function ackRowsOf(samples: Sample[]): AckRow[] {
	const seconds = new Map<string, number>();
	for (const s of samples) seconds.set(s.nodeId, (seconds.get(s.nodeId) ?? 0) + s.interval / 1000);
	const rows = new Map<string, AckRow & { weighted: number }>();
	for (const s of samples) {
		for (const ns of s.namespaces) {
			for (const a of ns.acks ?? []) {
				const key = `${ns.name}\u0000${a.name}\u0000${a.direction}`;
				let row = rows.get(key);
				if (!row) {
					row = {
						namespace: ns.name,
						name: a.name,
						direction: a.direction,
						rate: 0,
						count: 0,
						timeouts: 0,
						p50: null,
						p99: null,
						max: null,
						weighted: 0
					};
					rows.set(key, row);
				}
				row.rate += a.count / Math.max(seconds.get(s.nodeId) ?? 1, 0.001);
				row.count += a.count;
				row.timeouts += a.timeouts ?? 0;
				if (a.count > 0) {
					row.weighted += a.p50 * a.count;
					row.p50 = row.weighted / row.count;
					row.p99 = Math.max(row.p99 ?? 0, a.p99);
					row.max = Math.max(row.max ?? 0, a.max ?? a.p99);
				}
			}
		}
	}
	return [...rows.values()]
		.map(({ weighted: _, ...row }) => row)
		.sort((a, b) => b.timeouts - a.timeouts || (b.p99 ?? 0) - (a.p99 ?? 0));
}

/** The latest refused or failed connections of the nodes not down, newest first. */
export function latestConnectionErrors(
	entries: Iterable<NodeEntry>,
	limit: number,
	now = Date.now()
): (ConnectionErrorExample & { nodeId: string })[] {
	const all: (ConnectionErrorExample & { nodeId: string })[] = [];
	for (const entry of entries) {
		if (healthOf(entry, now) === 'down') continue;
		for (const e of entry.sample.connectionErrors?.recent ?? [])
			all.push({ ...e, nodeId: entry.sample.nodeId });
	}
	return all.sort((a, b) => b.t - a.t).slice(0, limit);
}
