/**
 * What every audit store does, the rules they share (scoping, page sizes, cursors), and the
 * default store: a ring of the latest entries, in this process only.
 */
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../protocol/limits.js';
import type { AuditEntry } from '../../protocol/commands.js';
import type { Page } from '../../protocol/models.js';
import { AgentError } from '../base/errors.js';

export type NewEntry = Omit<AuditEntry, 'id'>;

/** The namespaces a reader may see: `undefined` for all of them. */
export type Scope = readonly string[] | undefined;

/**
 * Entries the durable stores keep; older ones are trimmed. An audit trail must outlive restarts,
 * but an authenticated dashboard sending junk must not fill the disk or Redis' memory.
 */
export const DURABLE_CAP = 100_000;

/** How many entries a store keeps of each kind: commands that ran, and refused or invalid ones. */
export interface Caps {
	acted: number;
	refusals: number;
}

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

/** A ring of the latest entries. */
class Ring {
	readonly entries: AuditEntry[] = [];
	/** Index of the oldest entry once the ring is full. */
	private head = 0;

	constructor(private readonly capacity: number) {}

	push(entry: AuditEntry): void {
		if (this.entries.length < this.capacity) {
			this.entries.push(entry);
		} else {
			this.entries[this.head] = entry;
			this.head = (this.head + 1) % this.capacity;
		}
	}

	/** The entry `i` places from the newest. */
	newest(i: number): AuditEntry {
		return this.entries[(this.head + this.entries.length - 1 - i) % this.entries.length];
	}

	clear(): void {
		this.entries.length = 0;
		this.head = 0;
	}
}

/** Whether an entry records a command that did not get past validation or authorisation. */
export function isRefusal(entry: { outcome: AuditEntry['outcome'] }): boolean {
	return entry.outcome === 'refused' || entry.outcome === 'invalid';
}

/**
 * The default store: bounded, and gone with the process. Refused and invalid commands have a ring
 * of their own, so that a user sending junk (anyone who can log in can) never pushes the commands
 * that ran out of the trail; pages read both, newest first.
 */
export class MemoryStore implements AuditStore {
	private readonly acted: Ring;
	private readonly refusals: Ring;
	private seq = 0;

	constructor({ acted, refusals }: Caps) {
		this.acted = new Ring(acted);
		this.refusals = new Ring(refusals);
	}

	async append(entry: NewEntry): Promise<AuditEntry> {
		const stored: AuditEntry = { id: String(++this.seq), ...entry };
		(isRefusal(stored) ? this.refusals : this.acted).push(stored);
		return stored;
	}

	async page(scope: readonly string[] | undefined, cursor: string | undefined, limit: number) {
		checkCursor(cursor, /^\d{1,15}$/);
		const before = cursor === undefined ? Infinity : Number(cursor);
		const rows: AuditEntry[] = [];
		let total = 0;
		let a = 0;
		let r = 0;
		const { acted, refusals } = this;
		// Both rings are in id order: merged newest first.
		while (a < acted.entries.length || r < refusals.entries.length) {
			const fromActed =
				r >= refusals.entries.length ||
				(a < acted.entries.length && Number(acted.newest(a).id) > Number(refusals.newest(r).id));
			const entry = fromActed ? acted.newest(a++) : refusals.newest(r++);
			if (!inScope(scope, entry)) continue;
			total++;
			if (rows.length <= limit && Number(entry.id) < before) rows.push(entry);
		}
		return toPage(rows, limit, total);
	}

	async close(): Promise<void> {
		this.acted.clear();
		this.refusals.clear();
	}
}
