/**
 * An audit store in a SQLite file (better-sqlite3, an optional dependency loaded only when asked
 * for), so the trail survives restarts. One row per entry; the namespace has its own column so a
 * scoped reader's page is one indexed query, and so has the refusal flag, so refused and invalid
 * entries are trimmed to a cap of their own and never push commands that ran out of the trail.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { AuditEntry } from '../../protocol/commands.js';
import { AgentError } from '../base/errors.js';
import { packageRequire } from '../base/package-files.js';
import {
	checkCursor,
	isRefusal,
	toPage,
	type Caps,
	type AuditStore,
	type NewEntry,
	type Scope
} from './store.js';

/**
 * Trimming is a DELETE: done every this many inserts of a kind (or a tenth of its cap, when
 * smaller), not on each one, so a kind holds at most its cap plus this many rows.
 */
const TRIM_EVERY = 1000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sockscope_audit (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	t INTEGER NOT NULL,
	namespace TEXT,
	entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sockscope_audit_namespace ON sockscope_audit (namespace, id);
`;

// Files written before refusals were kept apart lack the column; their rows count as actions.
const REFUSED_COLUMN = `
ALTER TABLE sockscope_audit ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
`;
const REFUSED_INDEX = `
CREATE INDEX IF NOT EXISTS sockscope_audit_refused ON sockscope_audit (refused, id);
`;

// `json_each` lets one statement take any number of namespaces.
const IN_SCOPE = 'namespace IN (SELECT value FROM json_each(?))';

type Row = { id: number; entry: string };

/** Opens (or creates) the store; throws an `E_OPTIONS` error naming the option when it cannot. */
export function openSqliteStore(path: string, caps: Caps): AuditStore {
	let Database: typeof BetterSqlite3;
	try {
		Database = packageRequire()('better-sqlite3') as typeof BetterSqlite3;
	} catch (err) {
		const missing = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
		throw new AgentError(
			'E_OPTIONS',
			missing
				? 'option "audit.sqlite": needs better-sqlite3, an optional peer dependency of sockscope: run `npm install better-sqlite3` in your app'
				: `option "audit.sqlite": better-sqlite3 is installed but failed to load (${(err as Error).message}); reinstall it with \`npm rebuild better-sqlite3\``
		);
	}
	let db: BetterSqlite3.Database;
	try {
		db = new Database(path);
		db.pragma('journal_mode = WAL');
		db.pragma('busy_timeout = 2000');
		db.exec(SCHEMA);
		const columns = db.pragma('table_info(sockscope_audit)') as { name: string }[];
		if (!columns.some((c) => c.name === 'refused')) db.exec(REFUSED_COLUMN);
		db.exec(REFUSED_INDEX);
	} catch (err) {
		throw new AgentError(
			'E_OPTIONS',
			`option "audit.sqlite": cannot open ${path}: ${(err as Error).message}`
		);
	}
	const insert = db.prepare<[number, string | null, string, number]>(
		'INSERT INTO sockscope_audit (t, namespace, entry, refused) VALUES (?, ?, ?, ?)'
	);
	// Every row of the kind older than its `cap`-th newest.
	const trim = db.prepare<[number, number, number]>(
		`DELETE FROM sockscope_audit WHERE refused = ? AND id <= (
			SELECT id FROM sockscope_audit WHERE refused = ? ORDER BY id DESC LIMIT 1 OFFSET ?
		)`
	);
	const all = db.prepare<[number, number], Row>(
		'SELECT id, entry FROM sockscope_audit WHERE id < ? ORDER BY id DESC LIMIT ?'
	);
	const scoped = db.prepare<[number, string, number], Row>(
		`SELECT id, entry FROM sockscope_audit WHERE id < ? AND ${IN_SCOPE} ORDER BY id DESC LIMIT ?`
	);
	const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM sockscope_audit');
	const countScoped = db.prepare<[string], { n: number }>(
		`SELECT count(*) AS n FROM sockscope_audit WHERE ${IN_SCOPE}`
	);
	const kinds = [caps.acted, caps.refusals].map((cap) => ({
		cap,
		every: Math.max(1, Math.min(TRIM_EVERY, Math.floor(cap / 10))),
		inserts: 0
	}));

	return {
		async append(entry: NewEntry): Promise<AuditEntry> {
			const refused = isRefusal(entry) ? 1 : 0;
			const { lastInsertRowid } = insert.run(
				entry.t,
				entry.namespace ?? null,
				JSON.stringify(entry),
				refused
			);
			const id = Number(lastInsertRowid);
			const kind = kinds[refused];
			if (++kind.inserts % kind.every === 0) trim.run(refused, refused, kind.cap);
			return { id: String(id), ...entry };
		},
		async page(scope: Scope, cursor: string | undefined, limit: number) {
			checkCursor(cursor, /^\d{1,15}$/);
			const before = cursor === undefined ? Number.MAX_SAFE_INTEGER : Number(cursor);
			const namespaces = scope && JSON.stringify(scope);
			const rows = namespaces
				? scoped.all(before, namespaces, limit + 1)
				: all.all(before, limit + 1);
			const total = (namespaces ? countScoped.get(namespaces) : countAll.get())?.n ?? 0;
			return toPage(
				rows.map((row) => ({ ...(JSON.parse(row.entry) as NewEntry), id: String(row.id) })),
				limit,
				total
			);
		},
		async close() {
			db.close();
		}
	};
}
