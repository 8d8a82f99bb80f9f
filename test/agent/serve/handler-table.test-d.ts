/**
 * The handler table is the protocol's contract, checked by the compiler (`npm run check`): each
 * `@ts-expect-error` below is a mistake that must not compile. If one did, the directive itself
 * would be reported as unused and the check would fail.
 */
import type { CommandName } from '../../../server/protocol/commands.js';
import type { QueryName } from '../../../server/protocol/events.js';
import { queryEntries, wrapEach, type HandlerTable } from '../../../server/agent/serve/handler-table.js';
import { schemas } from '../../../server/agent/base/validation.js';

declare const queries: Pick<HandlerTable, QueryName>;
declare const commands: Pick<HandlerTable, CommandName>;

export const complete: HandlerTable = { ...queries, ...commands };

// @ts-expect-error: a table without the commands misses requests of the protocol.
export const incomplete: HandlerTable = { ...queries };

export const rightShape = queryEntries<'log:unsubscribe'>({
	'log:unsubscribe': { schema: schemas.empty, answer: () => true as const }
});

export const wrongShape = queryEntries<'log:unsubscribe'>({
	// @ts-expect-error: the protocol answers `log:unsubscribe` with `true`, not a string.
	'log:unsubscribe': { schema: schemas.empty, answer: () => 'done' }
});

export const wrongSchema = queryEntries<'sockets:query'>({
	'sockets:query': {
		// @ts-expect-error: the schema of another query checks the wrong payload.
		schema: schemas.rooms,
		answer: () => ({ rows: [], total: 0, nextCursor: null, missingNodes: [] })
	}
});

// @ts-expect-error: a query the protocol does not have.
export const unknown = queryEntries<'sockets:delete'>({});

/** A wrapper keeps every handler's name and answer type, so the wrapped table is still complete. */
export const wrapped: HandlerTable = wrapEach(complete, (name, handler) => (ctx, payload) => {
	void name;
	return handler(ctx, payload);
});
