/**
 * An audit store in Redis streams, shared by every node of a cluster: XADD with an approximate
 * MAXLEN to stay bounded, XREVRANGE with an exclusive start (Redis 6.2+) for keyset pages. Refused
 * and invalid entries go to a stream of their own (`<key>:refused`) with its own cap, so junk never
 * trims the commands that ran; pages merge both streams, newest first. The host's client is used
 * as given (node-redis v4/v5 or ioredis) through raw commands, so no client library is a
 * dependency of the agent.
 */
import type { AuditEntry } from '../../protocol/commands.js';
import { AgentError } from '../base/errors.js';
import type { RedisLike } from '../options.js';
import {
	checkCursor,
	inScope,
	isRefusal,
	toPage,
	type Caps,
	type AuditStore,
	type NewEntry,
	type Scope
} from './store.js';

type Send = (args: string[]) => Promise<unknown>;

/** A scoped page reads the streams in batches; past this many entries it hands a cursor back. */
const MAX_SCAN = 2000;
const SCAN_BATCH = 200;

/**
 * A refused entry's id is its stream id with this suffix, so ids stay unique across both streams
 * and a cursor says which stream it came from.
 */
const REFUSED = '-r';

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

export function openRedisStore(client: RedisLike, key: string, caps: Caps): AuditStore {
	const { send, ready } = rawCommands(client);
	const streams = [
		{ key, suffix: '', cap: caps.acted },
		{ key: `${key}:refused`, suffix: REFUSED, cap: caps.refusals }
	];
	type Stream = (typeof streams)[number];

	/** Stream entries from XREVRANGE, newest first, with the id Redis gave each. */
	async function range(stream: Stream, end: string, count: number): Promise<AuditEntry[]> {
		const reply = (await send(['XREVRANGE', stream.key, end, '-', 'COUNT', String(count)])) as [
			string,
			string[]
		][];
		return reply.map(([id, fields]) => {
			let json = '{}';
			for (let i = 0; i < fields.length; i += 2)
				if (String(fields[i]) === 'e') json = String(fields[i + 1]);
			return { ...(JSON.parse(json) as NewEntry), id: String(id) + stream.suffix };
		});
	}

	/** A stream's entries from `end` on, newest first, read `batch` at a time as they are taken. */
	async function* newestFirst(stream: Stream, end: string, batch: number) {
		for (;;) {
			const entries = await range(stream, end, batch);
			yield* entries;
			if (entries.length < batch) return;
			end = `(${streamId(entries[entries.length - 1].id)}`;
		}
	}

	return {
		async append(entry) {
			// A client that is reconnecting would queue the write and run it later, after the
			// command was refused for want of it: fail now instead.
			if (!ready()) throw new Error('redis client not ready');
			const stream = streams[isRefusal(entry) ? 1 : 0];
			const fields = ['e', JSON.stringify(entry), 'ns', entry.namespace ?? ''];
			const cap = String(stream.cap);
			const id = await send(['XADD', stream.key, 'MAXLEN', '~', cap, '*', ...fields]);
			return { id: String(id) + stream.suffix, ...entry };
		},
		async page(scope: Scope, cursor: string | undefined, limit: number) {
			checkCursor(cursor, /^\d{1,20}-\d{1,20}(-r)?$/);
			const batch = scope === undefined ? limit + 1 : SCAN_BATCH;
			// Where each stream starts: past the cursor, and for the refusals also at an entry of
			// the same id when the cursor is an action's (actions come first among equal ids).
			const ends =
				cursor === undefined
					? ['+', '+']
					: [
							`(${streamId(cursor)}`,
							cursor.endsWith(REFUSED) ? `(${streamId(cursor)}` : streamId(cursor)
						];
			const merged = merge(
				newestFirst(streams[0], ends[0], batch),
				newestFirst(streams[1], ends[1], batch)
			);
			const rows: AuditEntry[] = [];
			let scanned = 0;
			let last: string | undefined;
			for await (const entry of merged) {
				if (inScope(scope, entry)) rows.push(entry);
				last = entry.id;
				if (rows.length > limit || ++scanned >= MAX_SCAN) break;
			}
			if (scope === undefined) {
				const lengths = await Promise.all(streams.map((s) => send(['XLEN', s.key])));
				return toPage(rows, limit, Number(lengths[0]) + Number(lengths[1]));
			}
			// Past MAX_SCAN the page may be short but carries a cursor; `total` is then the
			// matches seen so far.
			const page = toPage(rows, limit, rows.length);
			return scanned >= MAX_SCAN && page.nextCursor === null
				? { ...page, nextCursor: last! }
				: page;
		},
		async close() {
			// The client is the host's: it stays open.
		}
	};
}

/** The Redis stream id of an entry id or cursor. */
function streamId(id: string): string {
	return id.endsWith(REFUSED) ? id.slice(0, -REFUSED.length) : id;
}

/** Newest first: by stream id, and among equal ids an action before a refusal. */
function newer(a: string, b: string): boolean {
	const [am, as] = streamId(a).split('-').map(BigInt);
	const [bm, bs] = streamId(b).split('-').map(BigInt);
	if (am !== bm) return am > bm;
	if (as !== bs) return as > bs;
	return !a.endsWith(REFUSED) && b.endsWith(REFUSED);
}

/** Two newest-first sequences as one. */
async function* merge(
	a: AsyncGenerator<AuditEntry>,
	b: AsyncGenerator<AuditEntry>
): AsyncGenerator<AuditEntry> {
	let [x, y] = await Promise.all([a.next(), b.next()]);
	try {
		while (!x.done || !y.done) {
			if (!x.done && (y.done || newer(x.value.id, y.value.id))) {
				yield x.value;
				x = await a.next();
			} else if (!y.done) {
				yield y.value;
				y = await b.next();
			}
		}
	} finally {
		await Promise.all([a.return(undefined), b.return(undefined)]);
	}
}
