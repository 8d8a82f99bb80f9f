/** Validation of the live-window requests (see live-windows.ts), beside the other query schemas. */
import { MAX_FILTER_TEXT } from '../../protocol/limits.js';
import { MAX_WINDOW } from '../../protocol/windows.js';
import { v } from '../base/schema.js';
import { schemas } from '../base/validation.js';

const filter = schemas.sockets.omit('cursor', 'limit');
const rowKey = v.tuple([
	v.union([v.string().max(MAX_FILTER_TEXT * 2), v.number()]),
	v.string().max(MAX_FILTER_TEXT * 2)
]);

export const windowSchemas = {
	empty: schemas.empty,
	window: v.strictObject({
		watch: v.number().int().min(0),
		query: filter,
		after: rowKey.optional(),
		until: rowKey.optional(),
		limit: v.number().int().min(1).max(MAX_WINDOW)
	}),
	seek: v.strictObject({ query: filter, offset: v.number().int().min(0).max(10_000_000) })
};
