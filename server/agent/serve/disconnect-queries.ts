/**
 * This node's answers about its record of recent disconnects (observe/disconnects.ts): a page of
 * them after a cursor, newest first, and one client's patterns over the last hour. Each reads at
 * most the whole ring, `SCAN_CHUNK` entries a turn of the event loop, and only the namespaces the
 * principal may see. Merged over the nodes in cluster/merge.ts.
 */
import { DISCONNECT_PATTERN_WINDOW_MS } from '../../protocol/limits.js';
import type {
	DisconnectEntry,
	DisconnectPatternsQuery,
	DisconnectsQuery,
	Page,
	Principal
} from '../../protocol/models.js';
import { disconnectKey } from '../../protocol/paging.js';
import { pageOf } from '../base/paging.js';
import type { ScanTurns } from '../base/scan-turns.js';
import { canSee } from '../base/scope.js';
import type { DisconnectPatternsPart, DisconnectRecord } from '../observe/disconnects.js';
import { SCAN_CHUNK } from './queries.js';

/** Sessions one node sends for a client's patterns: an hour of a client dropping every 2 s. */
const PATTERN_SESSIONS_PER_NODE = 2000;

export class DisconnectQueries {
	constructor(
		private readonly record: DisconnectRecord | undefined,
		private readonly turns: ScanTurns
	) {}

	/** The most entries a query reads on this node: the cost it is charged before it reads. */
	get scanSize(): number {
		return this.record?.size ?? 0;
	}

	/** Every entry the principal may see that passes `test`, read in turns. */
	private async collect(
		principal: Principal,
		test: (entry: DisconnectEntry) => boolean
	): Promise<DisconnectEntry[]> {
		const found: DisconnectEntry[] = [];
		if (this.record === undefined) return found;
		await this.turns.next();
		let read = 0;
		// A copy of the references first: entries written meanwhile do not move what is read.
		const entries = [...this.record.newestFirst()];
		for (const entry of entries) {
			if (canSee(principal, entry.namespace) && test(entry)) found.push(entry);
			if (++read % SCAN_CHUNK === 0) await this.turns.next();
		}
		return found;
	}

	/** This node's first `limit` disconnects of the query after its cursor, newest first. */
	async page(principal: Principal, query: DisconnectsQuery): Promise<Page<DisconnectEntry>> {
		const text = query.text === undefined || query.text === '' ? undefined : textPattern(query.text);
		const found = await this.collect(
			principal,
			(e) =>
				(query.namespace === undefined || e.namespace === query.namespace) &&
				(query.reason === undefined || e.reason === query.reason) &&
				(query.since === undefined || e.t >= query.since) &&
				(query.until === undefined || e.t < query.until) &&
				(text === undefined ||
					text.test(e.id) ||
					(e.label !== null && text.test(e.label)) ||
					text.test(e.address) ||
					text.test(e.reason) ||
					(e.kick?.reason !== undefined && text.test(e.kick.reason)))
		);
		return pageOf(found, disconnectKey, true, query.cursor, query.limit, (e) => e);
	}

	/** This node's part of one client's patterns over the last hour. */
	async patterns(
		principal: Principal,
		query: DisconnectPatternsQuery,
		now = Date.now()
	): Promise<DisconnectPatternsPart> {
		const since = now - DISCONNECT_PATTERN_WINDOW_MS;
		const found = await this.collect(
			principal,
			(e) =>
				e.t >= since &&
				(query.label !== undefined
					? e.label === query.label
					: query.address !== undefined
						? e.address === query.address
						: e.userAgent === query.userAgent)
		);
		const part: DisconnectPatternsPart = {
			since,
			total: found.length,
			byReason: {},
			namespaces: {},
			sessions: []
		};
		for (const e of found) {
			part.byReason[e.reason] = (part.byReason[e.reason] ?? 0) + 1;
			part.namespaces[e.namespace] = (part.namespaces[e.namespace] ?? 0) + 1;
		}
		found.sort((a, b) => b.t - a.t);
		part.sessions = found.slice(0, PATTERN_SESSIONS_PER_NODE).map((e) => [e.t, e.duration]);
		return part;
	}
}

/** A filter's text found anywhere in a field, whatever its case (as the sockets list's). */
function textPattern(text: string): RegExp {
	return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'iu');
}
