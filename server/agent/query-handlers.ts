/**
 * The dashboard's read-only requests: each validated, scoped to the principal, answered by every
 * node of a cluster and merged, or by this node alone.
 */
import type {
	History,
	HistoryRange,
	MembersQuery,
	NamespaceSummary,
	Page,
	Principal,
	RoomRow,
	RoomsQuery,
	Snapshot,
	SocketDetails,
	SocketRow,
	SocketsQuery
} from '../protocol/models.js';
import type { AdminNamespace } from './admin-namespace.js';
import type { Cluster } from './cluster.js';
import { mergeNamespaces, mergeRooms, mergeSocketPages } from './cluster-merge.js';
import { AgentError } from './errors.js';
import type { EventLog } from './event-log.js';
import type { HistoryStore } from './history.js';
import type { Queries } from './queries.js';
import { canSee } from './sampler.js';
import { parse, schemas } from './validation.js';

export interface QueryDeps {
	queries: Queries;
	history: HistoryStore;
	log: EventLog;
	cluster: Cluster;
	snapshot(principal: Principal): Promise<Snapshot>;
}

/** This node's part of each query that fans out; also what other nodes ask of it. */
export function localAnswer({ queries, history }: Pick<QueryDeps, 'queries' | 'history'>) {
	return (kind: string, principal: Principal, payload: unknown): unknown => {
		switch (kind) {
			case 'sockets':
				return queries.sockets(principal, payload as SocketsQuery);
			case 'details': {
				const { namespace, id } = payload as { namespace: string; id: string };
				try {
					return queries.details(principal, namespace, id);
				} catch (err) {
					if (err instanceof AgentError && err.code === 'E_NOT_FOUND') return null;
					throw err;
				}
			}
			case 'rooms':
				return queries.roomRows(principal, payload as RoomsQuery);
			case 'namespaces':
				return queries.namespaces(principal);
			case 'history':
				return history.query((payload as { range: HistoryRange }).range, (ns) => canSee(principal, ns));
			default:
				throw new Error(`unknown query kind ${kind}`);
		}
	};
}

export function registerQueries(admin: AdminNamespace, deps: QueryDeps): void {
	const { log, cluster, snapshot } = deps;
	const local = localAnswer(deps);
	const ask = <T>(kind: string, principal: Principal, payload: unknown) =>
		cluster.fanOut<T>(kind, principal, payload, () => local(kind, principal, payload) as T);

	const sockets = async (principal: Principal, query: SocketsQuery) => {
		const { answers, missing } = await ask<Page<SocketRow>>('sockets', principal, query);
		return mergeSocketPages(answers, query, missing);
	};

	admin.handle('state:resync', ({ principal }, payload) => {
		parse(schemas.empty, payload);
		return snapshot(principal);
	});
	admin.handle('sockets:query', ({ principal }, payload) => sockets(principal, parse(schemas.sockets, payload)));
	admin.handle('room:members', ({ principal }, payload) => {
		const query: MembersQuery = parse(schemas.members, payload);
		return sockets(principal, { namespace: query.namespace, room: query.room, sort: 'id', cursor: query.cursor, limit: query.limit });
	});
	admin.handle('socket:details', async ({ principal }, payload) => {
		const ref = parse(schemas.socketRef, payload);
		const { answers } = await ask<SocketDetails | null>('details', principal, ref);
		const found = answers.find((a) => a !== null);
		if (!found) throw new AgentError('E_NOT_FOUND', `no socket ${ref.id} in namespace ${ref.namespace}`);
		return found;
	});
	admin.handle('rooms:query', async ({ principal }, payload) => {
		const query = parse(schemas.rooms, payload);
		const { answers, missing } = await ask<RoomRow[]>('rooms', principal, query);
		return mergeRooms(answers, query, missing);
	});
	admin.handle('namespaces:query', async ({ principal }, payload) => {
		parse(schemas.empty, payload);
		const { answers } = await ask<NamespaceSummary[]>('namespaces', principal, {});
		return mergeNamespaces(answers);
	});
	admin.handle('history:query', async ({ principal }, payload) => {
		const query = parse(schemas.history, payload);
		return (await ask<History>('history', principal, query)).answers;
	});
	admin.handle('log:subscribe', ({ socket, principal }, payload) => {
		const filter = parse(schemas.logFilter, payload);
		log.subscribe(socket, { principal, filter, send: (batch) => socket.emit('log:batch', batch) });
		return { maxPerSecond: log.maxPerSecond, payloads: log.payloads };
	});
	admin.handle('log:unsubscribe', ({ socket }, payload) => {
		parse(schemas.empty, payload);
		log.unsubscribe(socket);
		return true as const;
	});
}
