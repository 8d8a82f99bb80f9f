/**
 * The dashboard's read-only requests: each validated, scoped to the principal, answered by every
 * node of a cluster and merged, or by this node alone.
 */
import type { QueryName } from '../../protocol/events.js';
import type {
	NamespacesPage,
	NamespacesQuery,
	Principal,
	RoomRow,
	Snapshot
} from '../../protocol/models.js';
import type { Cluster, LocalAnswers } from '../cluster/index.js';
import {
	mergeDisconnectPages,
	mergeDisconnectPatterns,
	mergeNamespaces,
	mergeSocketPages,
	withExactRows
} from '../cluster/merge.js';
import type { DisconnectQueries } from './disconnect-queries.js';
import { mergeRooms } from '../cluster/room-answers.js';
import { AgentError } from '../base/errors.js';
import type { EventLog } from '../history/event-log.js';
import { queryEntries } from './handler-table.js';
import type { HistoryStore } from '../history/history.js';
import { mergeRoomHistories, roomKey, type RoomTracker } from '../history/room-history.js';
import type { Queries } from './queries.js';
import { canSee } from '../base/scope.js';
import { schemas } from '../base/validation.js';
import { chargeReads } from './request-limits.js';

export interface QueryDeps {
	queries: Queries;
	disconnects: DisconnectQueries;
	history: HistoryStore;
	rooms: RoomTracker;
	log: EventLog;
	cluster: Cluster;
	snapshot(principal: Principal): Promise<Snapshot>;
}

/** This node's part of each query that fans out; also what other nodes ask of it. */
export function localAnswers({
	queries,
	history,
	rooms,
	disconnects
}: Pick<QueryDeps, 'queries' | 'history' | 'rooms' | 'disconnects'>): LocalAnswers {
	return {
		'disconnects:query': (principal, query) => disconnects.page(principal, query),
		'disconnects:patterns': (principal, query) => disconnects.patterns(principal, query),
		'sockets:query': (principal, query) => queries.sockets(principal, query),
		'socket:details': (principal, { namespace, id }) => {
			try {
				return queries.details(principal, namespace, id);
			} catch (err) {
				if (err instanceof AgentError && err.code === 'E_NOT_FOUND') return null;
				throw err;
			}
		},
		'rooms:query': (principal, query) => queries.roomRows(principal, query),
		'namespaces:query': (principal, query) => queries.namespaces(principal, query),
		'history:query': (principal, query) =>
			history.query('range' in query ? query.range : query, (ns) => canSee(principal, ns)),
		'room:history': (principal, { namespace, room, range }) => {
			if (!canSee(principal, namespace)) throw new AgentError('E_FORBIDDEN');
			// Opened now: kept from here on even if it is not among its namespace's largest.
			rooms.open(namespace, room);
			return history.roomQuery(range, roomKey(namespace, room));
		}
	};
}

/**
 * A page of namespaces over every node. Each node answers its own first rows (bounded work: one
 * pass over its namespaces, a page out). By a figure, a namespace spread over nodes may have been
 * cut from some nodes' pages: a second, bounded look asks every node for the page's names alone,
 * so that each row shows its figures summed over every node.
 */
export async function namespacesAcross(
	cluster: Cluster,
	principal: Principal,
	query: NamespacesQuery
): Promise<NamespacesPage> {
	const { answers, missing } = await cluster.fanOut('namespaces:query', principal, query);
	const page = mergeNamespaces(answers, query, missing);
	if (answers.length < 2 || query.names || (query.sort ?? 'sockets') === 'name') return page;
	if (page.rows.length === 0) return page;
	const names = page.rows.map((r) => r.name);
	const exact = await cluster.fanOut('namespaces:query', principal, { names, limit: names.length });
	return withExactRows(page, exact.answers, query);
}

/** The queries this module answers: all but the audit trail's and the live windows' (live-windows.ts). */
type Answered = Exclude<
	QueryName,
	'audit:query' | 'sockets:watch' | 'sockets:unwatch' | 'sockets:seek'
>;

export function queryHandlers({ queries, disconnects, log, cluster, snapshot }: QueryDeps) {
	return queryEntries<Answered>({
		'disconnects:query': {
			schema: schemas.disconnects,
			async answer(ctx, query) {
				// Each node reads at most its whole record, in turns: charged as this node's.
				chargeReads(ctx, disconnects.scanSize);
				const { answers, missing } = await cluster.fanOut(
					'disconnects:query',
					ctx.principal,
					query
				);
				return mergeDisconnectPages(answers, query, missing);
			}
		},
		'disconnects:patterns': {
			schema: schemas.disconnectPatterns,
			async answer(ctx, query) {
				chargeReads(ctx, disconnects.scanSize);
				const { answers, missing } = await cluster.fanOut(
					'disconnects:patterns',
					ctx.principal,
					query
				);
				return mergeDisconnectPatterns(answers, missing);
			}
		},
		'state:resync': { schema: schemas.empty, answer: ({ principal }) => snapshot(principal) },
		'sockets:query': {
			schema: schemas.sockets,
			async answer(ctx, query) {
				const { principal } = ctx;
				// Every socket of the query is read once, in turns (Queries.sockets): charged so.
				chargeReads(ctx, queries.scanSize(principal, query));
				const { answers, missing } = await cluster.fanOut('sockets:query', principal, query);
				return mergeSocketPages(answers, query, missing);
			}
		},
		'room:members': {
			schema: schemas.members,
			async answer(ctx, { namespace, room, cursor, limit }) {
				const { principal } = ctx;
				const query = { namespace, room, sort: 'id' as const, cursor, limit };
				chargeReads(ctx, queries.scanSize(principal, query));
				const { answers, missing } = await cluster.fanOut('sockets:query', principal, query);
				return mergeSocketPages(answers, query, missing);
			}
		},
		'socket:details': {
			schema: schemas.socketRef,
			async answer({ principal }, ref) {
				const { answers } = await cluster.fanOut('socket:details', principal, ref);
				const found = answers.find((a) => a !== null);
				if (!found)
					throw new AgentError('E_NOT_FOUND', `no socket ${ref.id} in namespace ${ref.namespace}`);
				return found;
			}
		},
		'rooms:query': {
			schema: schemas.rooms,
			async answer(ctx, query) {
				const { principal } = ctx;
				// Every room is read once, in turns (Queries.roomRows), then paged: charged so.
				chargeReads(ctx, queries.roomCount(principal, query.namespace));
				const { answers, missing } = await cluster.fanOut('rooms:query', principal, query);
				const page = mergeRooms(answers, query, missing);
				// Alone, a room's members are all on this node: where they are says nothing, and
				// costs a quarter of each row the Rooms page re-reads every second.
				return cluster.enabled ? page : { ...page, rows: page.rows.map(withoutNodes) };
			}
		},
		'namespaces:query': {
			schema: schemas.namespaces,
			answer: ({ principal }, query) => namespacesAcross(cluster, principal, query)
		},
		'history:query': {
			schema: schemas.history,
			async answer({ principal }, query) {
				return (await cluster.fanOut('history:query', principal, query)).answers;
			}
		},
		'room:history': {
			schema: schemas.roomHistory,
			async answer({ principal }, query) {
				if (!canSee(principal, query.namespace)) throw new AgentError('E_FORBIDDEN');
				return mergeRoomHistories((await cluster.fanOut('room:history', principal, query)).answers);
			}
		},
		'log:subscribe': {
			schema: schemas.logFilter,
			answer({ socket, principal }, filter) {
				log.subscribe(socket, {
					principal,
					filter,
					send: (batch) => socket.emit('log:batch', batch)
				});
				return { maxPerSecond: log.maxPerSecond, payloads: log.payloads };
			}
		},
		'log:unsubscribe': {
			schema: schemas.empty,
			answer({ socket }) {
				log.unsubscribe(socket);
				return true as const;
			}
		}
	});
}

function withoutNodes({ nodes: _nodes, ...row }: RoomRow): RoomRow {
	return row;
}
