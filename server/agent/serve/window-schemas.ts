/** Validation of the live-window requests (see live-windows.ts), beside the other query schemas. */
import { MAX_FILTER_TEXT } from '../../protocol/limits.js';
import { DEFAULT_SOCKET_SORT } from '../../protocol/vocabulary.js';
import { MAX_WINDOW, SLIM_SORT_KEYS } from '../../protocol/windows.js';
import { v } from '../base/schema.js';
import { schemas } from '../base/validation.js';

const slimSorts = new Set<string>(SLIM_SORT_KEYS);
const filter = schemas.sockets.omit('cursor', 'limit');
const rowKey = v.tuple([
	v.union([v.string().max(MAX_FILTER_TEXT * 2), v.number()]),
	v.string().max(MAX_FILTER_TEXT * 2)
]);

export const windowSchemas = {
	empty: schemas.empty,
	window: v
		.strictObject({
			watch: v.number().int().min(0),
			query: filter,
			after: rowKey.optional(),
			until: rowKey.optional(),
			limit: v.number().int().min(1).max(MAX_WINDOW),
			slim: v.boolean().optional()
		})
		.refine((w) => !w.slim || slimSorts.has(w.query.sort ?? DEFAULT_SOCKET_SORT), {
			path: ['query', 'sort'],
			message: `a slim window sorts by one of ${SLIM_SORT_KEYS.join(', ')}`
		}),
	seek: v.strictObject({ query: filter, offset: v.number().int().min(0).max(10_000_000) })
};
