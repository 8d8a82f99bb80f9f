/**
 * What every audit store does, the rules they share (scoping, page sizes, cursors), and the
 * default store: a ring of the latest entries, in this process only.
 */
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../protocol/limits.js';
import type { AuditEntry } from '../../protocol/commands.js';
import type { Page } from '../../protocol/models.js';
import { AgentError } from '../errors.js';

export type NewEntry = Omit<AuditEntry, 'id'>;

/** The namespaces a reader may see: `undefined` for all of them. */
export type Scope = readonly string[] | undefined;

/**
 * Entries the durable stores keep; older ones are trimmed. An audit trail must outlive restarts,
 * but an authenticated dashboard sending junk must not fill the disk or Redis' memory.
 */
export const DURABLE_CAP = 100_000;

export interface AuditStore {
	/** Stores an entry and returns it with its id; rejects when it was not stored. */
	append(entry: NewEntry): Promise<AuditEntry>;
	/** Entries in scope, newest first, older than `cursor` (the last id of the previous page). */
	page(scope: Scope, cursor: string | undefined, limit: number): Promise<Page<AuditEntry>>;
	close(): Promise<void>;
}

/** An entry without a namespace (an invalid command that named none) is for unscoped readers only. */
export function inScope(scope: Scope, entry: { namespace?: string }): boolean {
	return scope === undefined || (entry.namespace !== undefined && scope.includes(entry.namespace));
}

export function pageSize(limit: number | undefined): number {
	return Math.min(limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
}

/** Checks a cursor against the shape of the store's ids; a cursor is always an entry id. */
export function checkCursor(cursor: string | undefined, shape: RegExp): void {
	if (cursor !== undefined && !shape.test(cursor)) {
		throw new AgentError('E_VALIDATION', 'cursor: not a cursor this agent issued');
	}
}

/** A page from up to `limit + 1` rows in order: the extra row only says that more follow. */
export function toPage(rows: AuditEntry[], limit: number, total: number): Page<AuditEntry> {
	const more = rows.length > limit;
	const page = more ? rows.slice(0, limit) : rows;
	return {
		rows: page,
		total,
		nextCursor: more ? page[page.length - 1].id : null,
		missingNodes: []
	};
}

/** The default store: bounded, and gone with the process. */
export class MemoryStore implements AuditStore {
	private readonly ring: AuditEntry[] = [];
	/** Index of the oldest entry once the ring is full. */
	private head = 0;
	private seq = 0;

	constructor(private readonly capacity: number) {}

	async append(entry: NewEntry): Promise<AuditEntry> {
		const stored: AuditEntry = { id: String(++this.seq), ...entry };
		if (this.ring.length < this.capacity) {
			this.ring.push(stored);
		} else {
			this.ring[this.head] = stored;
			this.head = (this.head + 1) % this.capacity;
		}
		return stored;
	}

	async page(scope: readonly string[] | undefined, cursor: string | undefined, limit: number) {
		checkCursor(cursor, /^\d{1,15}$/);
		const before = cursor === undefined ? Infinity : Number(cursor);
		const rows: AuditEntry[] = [];
		let total = 0;
		for (let i = this.ring.length - 1; i >= 0; i--) {
			const entry = this.ring[(this.head + i) % this.ring.length];
			if (!inScope(scope, entry)) continue;
			total++;
			if (rows.length <= limit && Number(entry.id) < before) rows.push(entry);
		}
		return toPage(rows, limit, total);
	}

	async close(): Promise<void> {
		this.ring.length = 0;
	}
}
