/**
 * The audit trail: one store chosen by the options (Redis, else SQLite, else memory), writes
 * bounded by a timeout, failures counted as faults. On the admin namespace, `audit:query` pages
 * through it, and each new entry is pushed live as `audit:entry` to the dashboards allowed to see
 * it, through rooms of the admin namespace, so the adapter carries it to every node's dashboards.
 */
import createDebug from 'debug';
import type { AuditEntry, AuditQuery } from '../../protocol/commands.js';
import type { Page, Principal } from '../../protocol/models.js';
import type { AdminNamespace } from '../serve/admin-namespace.js';
import { queryEntries } from '../serve/handler-table.js';
import { AgentError } from '../base/errors.js';
import type { Faults } from '../base/faults.js';
import type { AuditOptions } from '../options.js';
import { schemas } from '../base/validation.js';
import { openRedisStore } from './redis-store.js';
import { openSqliteStore } from './sqlite-store.js';
import { DURABLE_CAP, MemoryStore, pageSize, type AuditStore, type NewEntry } from './store.js';

const debug = createDebug('sockscope:audit');

export interface AuditTrail {
	/**
	 * Stores the entry of a command about to run. Throws `E_AUDIT` when the store fails: the
	 * command must then not run, since nothing would record that it did.
	 */
	record(entry: NewEntry): Promise<AuditEntry>;
	/** Stores the entry of a command that did not run; a store failure is counted, not thrown. */
	note(entry: NewEntry): Promise<void>;
	query(principal: Principal, query: AuditQuery): Promise<Page<AuditEntry>>;
	/** Called with every entry this node stores. */
	onEntry(listener: (entry: AuditEntry) => void): void;
	close(): Promise<void>;
}

export interface AuditTrailDeps {
	faults: Faults;
	/** Milliseconds a store may take before the write counts as failed. */
	timeout: number;
}

/** Opens the store the options ask for; throws an `E_OPTIONS` error at once when it cannot. */
export function createAuditTrail(
	options: AuditOptions,
	{ faults, timeout }: AuditTrailDeps
): AuditTrail {
	const store = openStore(options);
	const listeners: ((entry: AuditEntry) => void)[] = [];

	async function record(entry: NewEntry): Promise<AuditEntry> {
		let stored: AuditEntry;
		try {
			stored = await withTimeout(store.append(entry), timeout);
		} catch (err) {
			faults.record('audit store', err);
			throw new AgentError('E_AUDIT', 'the audit store failed; nothing was done');
		}
		for (const listener of listeners) {
			try {
				listener(stored);
			} catch (err) {
				faults.record('audit listener', err);
			}
		}
		return stored;
	}

	return {
		record,
		async note(entry) {
			await record(entry).catch(() => debug('entry lost: %s %s', entry.command, entry.outcome));
		},
		async query(principal, query) {
			const limit = pageSize(query.limit);
			try {
				return await withTimeout(store.page(principal.namespaces, query.cursor, limit), timeout);
			} catch (err) {
				if (err instanceof AgentError) throw err;
				faults.record('audit query', err);
				throw new AgentError('E_AUDIT');
			}
		},
		onEntry(listener) {
			listeners.push(listener);
		},
		close: () => store.close()
	};
}

/** Dashboards that see every namespace, and so every entry. */
const ALL = 'audit:*';
const roomOf = (namespace: string) => `audit:${namespace}`;

/** `audit:query`: pages of the trail, as far as the principal may see. */
export function auditHandlers(trail: AuditTrail) {
	return queryEntries<'audit:query'>({
		'audit:query': {
			schema: schemas.audit,
			answer: ({ principal }, query) => trail.query(principal, query)
		}
	});
}

/** Pushes each new entry live to the dashboards that may see it. */
export function registerAudit(admin: AdminNamespace, trail: AuditTrail): void {
	admin.onJoin((socket, principal) => {
		socket.join(principal.namespaces ? principal.namespaces.map(roomOf) : ALL);
	});
	trail.onEntry((entry) => {
		admin.nsp
			.to(entry.namespace === undefined ? ALL : [ALL, roomOf(entry.namespace)])
			.emit('audit:entry', entry);
	});
}

function openStore(options: AuditOptions): AuditStore {
	if (options.redis && options.sqlite) {
		throw new AgentError('E_OPTIONS', 'option "audit": give either "sqlite" or "redis", not both');
	}
	if (options.redis || options.sqlite) {
		const acted = options.durable ?? DURABLE_CAP;
		const caps = { acted, refusals: options.refusals ?? acted };
		if (options.redis) {
			return openRedisStore(options.redis, options.redisKey ?? 'sockscope:audit', caps);
		}
		return openSqliteStore(options.sqlite!, caps);
	}
	const memory = options.memory ?? 1000;
	return new MemoryStore({ acted: memory, refusals: options.refusals ?? memory });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`audit store: no answer in ${ms} ms`)), ms);
		timer.unref();
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
