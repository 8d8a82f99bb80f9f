/**
 * An audit store in a Redis stream, shared by every node of a cluster: XADD with an approximate
 * MAXLEN to stay bounded, XREVRANGE with an exclusive start (Redis 6.2+) for keyset pages. The
 * host's client is used as given (node-redis v4/v5 or ioredis) through raw commands, so no
 * client library is a dependency of the agent.
 */
import type { AuditEntry } from '../../protocol/commands.js';
import { AgentError } from '../errors.js';
import type { RedisLike } from '../options.js';
import {
	DURABLE_CAP,
	checkCursor,
	inScope,
	toPage,
	type AuditStore,
	type NewEntry,
	type Scope
} from './store.js';

type Send = (args: string[]) => Promise<unknown>;

/** A scoped page reads the stream in batches, at most this many, then hands a cursor back. */
const MAX_SCAN_BATCHES = 10;
const SCAN_BATCH = 200;

interface RawClient {
	/** ioredis */
	call?(...args: string[]): Promise<unknown>;
	status?: string;
	/** node-redis */
	sendCommand?(args: string[]): Promise<unknown>;
	isReady?: boolean;
}

/** One way to send a raw command, whichever client this is; throws `E_OPTIONS` for anything else. */
function rawCommands(client: RedisLike): { send: Send; ready(): boolean } {
	const c = client as RawClient;
	if (typeof c.call === 'function') {
		return {
			send: (args) => c.call!(...args),
			ready: () => c.status === undefined || c.status === 'ready'
		};
	}
	if (typeof c.sendCommand === 'function') {
		return { send: (args) => c.sendCommand!(args), ready: () => c.isReady !== false };
	}
	throw new AgentError(
		'E_OPTIONS',
		'option "audit.redis": must be a node-redis (v4/v5) or ioredis client'
	);
}

export function openRedisStore(client: RedisLike, key: string): AuditStore {
	const { send, ready } = rawCommands(client);

	/** Stream entries from XREVRANGE, newest first, with the id Redis gave each. */
	async function range(end: string, count: number): Promise<AuditEntry[]> {
		const reply = (await send(['XREVRANGE', key, end, '-', 'COUNT', String(count)])) as [
			string,
			string[]
		][];
		return reply.map(([id, fields]) => {
			let json = '{}';
			for (let i = 0; i < fields.length; i += 2)
				if (String(fields[i]) === 'e') json = String(fields[i + 1]);
			return { ...(JSON.parse(json) as NewEntry), id: String(id) };
		});
	}

	return {
		async append(entry) {
			// A client that is reconnecting would queue the write and run it later, after the
			// command was refused for want of it: fail now instead.
			if (!ready()) throw new Error('redis client not ready');
			const fields = ['e', JSON.stringify(entry), 'ns', entry.namespace ?? ''];
			const id = await send(['XADD', key, 'MAXLEN', '~', String(DURABLE_CAP), '*', ...fields]);
			return { id: String(id), ...entry };
		},
		async page(scope: Scope, cursor: string | undefined, limit: number) {
			checkCursor(cursor, /^\d{1,20}-\d{1,20}$/);
			const start = cursor === undefined ? '+' : `(${cursor}`;
			if (scope === undefined) {
				const [rows, total] = await Promise.all([range(start, limit + 1), send(['XLEN', key])]);
				return toPage(rows, limit, Number(total));
			}
			return scopedPage(scope, start, limit);
		},
		async close() {
			// The client is the host's: it stays open.
		}
	};

	/**
	 * Redis cannot filter a stream, so a scoped page is read in batches. Past `MAX_SCAN_BATCHES`
	 * the page may be short but carries a cursor; `total` is then the matches seen so far.
	 */
	async function scopedPage(scope: Scope, start: string, limit: number) {
		const rows: AuditEntry[] = [];
		let end = start;
		for (let batch = 0; batch < MAX_SCAN_BATCHES; batch++) {
			const entries = await range(end, SCAN_BATCH);
			for (const entry of entries) if (inScope(scope, entry)) rows.push(entry);
			if (entries.length < SCAN_BATCH) return toPage(rows, limit, rows.length);
			end = `(${entries[entries.length - 1].id}`;
			if (rows.length > limit) return toPage(rows, limit, rows.length);
		}
		const page = toPage(rows, limit, rows.length);
		return { ...page, nextCursor: page.nextCursor ?? end.slice(1) };
	}
}
