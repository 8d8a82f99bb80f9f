/**
 * Every request a dashboard may send, answered through one table keyed by its protocol name. The
 * table's type is derived from the protocol (`DashboardToAgentEvents`): a request without an
 * entry, an entry for no request, or a handler whose answer has the wrong shape does not compile.
 * The admin namespace serves the whole table; a wrapper (a rate limit, say) wraps every entry in
 * one place with `wrapEach`.
 */
import type { Socket } from 'socket.io';
import type {
	AgentToDashboardEvents,
	DashboardToAgentEvents,
	QueryName,
	RequestInput,
	RequestName,
	RequestResult
} from '../../protocol/events.js';
import type { Principal } from '../../protocol/models.js';
import type { Schema } from '../base/schema.js';
import { parse } from '../base/validation.js';

/** A dashboard's socket, typed by the protocol in both directions. */
export type DashboardSocket = Socket<DashboardToAgentEvents, AgentToDashboardEvents>;

/** What a handler knows of the dashboard that sent a request. */
export interface RequestContext {
	socket: DashboardSocket;
	principal: Principal;
	address: string;
	/**
	 * Takes `tokens` more from the request budgets of the dashboard and its user, for a request
	 * whose work grows with what it reads (request-limits.ts); absent where no budget applies.
	 */
	charge?(tokens: number): void;
}

/** Answers a request from its raw payload: validates it, then acts. Thrown errors become `{ error }`. */
export type Handler<K extends RequestName> = (
	ctx: RequestContext,
	payload: unknown
) => RequestResult<K> | Promise<RequestResult<K>>;

export interface Entry<K extends RequestName> {
	answer: Handler<K>;
	/** Told of a request sent without an acknowledgement, which is not answered. */
	unacknowledged?(ctx: RequestContext, payload: unknown): unknown;
}

export type HandlerTable = { [K in RequestName]: Entry<K> };

/** A query: its payload's schema and its answer, both typed by the protocol. */
export interface QuerySpec<K extends QueryName> {
	schema: Schema<RequestInput<K>>;
	answer(ctx: RequestContext, input: RequestInput<K>): RequestResult<K> | Promise<RequestResult<K>>;
}

export type QuerySpecs<K extends QueryName> = { [Q in K]: QuerySpec<Q> };

/** The entries of queries: each parses its payload with its schema before answering. */
export function queryEntries<K extends QueryName>(specs: QuerySpecs<K>): Pick<HandlerTable, K> {
	const entries = {} as Record<K, Entry<K>>;
	for (const name of Object.keys(specs) as K[]) {
		const spec = specs[name] as QuerySpec<K>;
		entries[name] = { answer: (ctx, payload) => spec.answer(ctx, parse(spec.schema, payload)) };
	}
	return entries as unknown as Pick<HandlerTable, K>;
}

/** Wraps one handler, keeping its name and its answer's type. */
export type Wrapper = <K extends RequestName>(name: K, handler: Handler<K>) => Handler<K>;

/** The table with every handler wrapped by `wrap`. */
export function wrapEach(table: HandlerTable, wrap: Wrapper): HandlerTable {
	const wrapped = {} as Record<RequestName, Entry<RequestName>>;
	for (const name of Object.keys(table) as RequestName[]) {
		const entry = table[name] as Entry<RequestName>;
		wrapped[name] = { ...entry, answer: wrap(name, entry.answer) };
	}
	return wrapped as HandlerTable;
}
