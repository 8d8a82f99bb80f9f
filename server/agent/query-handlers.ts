/** The dashboard's read-only requests: each validated, scoped to the principal, and answered. */
import type { Principal, Snapshot } from '../protocol/models.js';
import type { AdminNamespace } from './admin-namespace.js';
import type { EventLog } from './event-log.js';
import type { HistoryStore } from './history.js';
import type { Queries } from './queries.js';
import { canSee } from './sampler.js';
import { parse, schemas } from './validation.js';

export interface QueryDeps {
	queries: Queries;
	history: HistoryStore;
	log: EventLog;
	snapshot(principal: Principal): Snapshot;
}

export function registerQueries(admin: AdminNamespace, { queries, history, log, snapshot }: QueryDeps): void {
	admin.handle('state:resync', ({ principal }, payload) => {
		parse(schemas.empty, payload);
		return snapshot(principal);
	});
	admin.handle('sockets:query', ({ principal }, payload) =>
		queries.sockets(principal, parse(schemas.sockets, payload))
	);
	admin.handle('socket:details', ({ principal }, payload) => {
		const { namespace, id } = parse(schemas.socketRef, payload);
		return queries.details(principal, namespace, id);
	});
	admin.handle('rooms:query', ({ principal }, payload) => queries.rooms(principal, parse(schemas.rooms, payload)));
	admin.handle('room:members', ({ principal }, payload) =>
		queries.members(principal, parse(schemas.members, payload))
	);
	admin.handle('namespaces:query', ({ principal }, payload) => {
		parse(schemas.empty, payload);
		return queries.namespaces(principal);
	});
	admin.handle('history:query', ({ principal }, payload) => {
		const { range } = parse(schemas.history, payload);
		return [history.query(range, (ns) => canSee(principal, ns))];
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
