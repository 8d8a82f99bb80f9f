/** Validation of the live-window requests (see live-windows.ts), beside the other query schemas. */
import { z } from 'zod';
import { MAX_FILTER_TEXT } from '../../protocol/limits.js';
import { DEFAULT_SOCKET_SORT } from '../../protocol/vocabulary.js';
import { MAX_WINDOW, SLIM_SORT_KEYS } from '../../protocol/windows.js';
import { withPlainPrototype } from '../base/own-keys.js';
import { schemas } from '../base/validation.js';

const slimSorts = new Set<string>(SLIM_SORT_KEYS);

/** Built with the host's prototype keys hidden from zod: see `withPlainPrototype`. */
export const windowSchemas = withPlainPrototype(() => {
	const filter = schemas.sockets.omit({ cursor: true, limit: true });
	const rowKey = z.tuple([
		z.union([z.string().max(MAX_FILTER_TEXT * 2), z.number()]),
		z.string().max(MAX_FILTER_TEXT * 2)
	]);

	return {
		empty: schemas.empty,
		window: z
			.strictObject({
				watch: z.number().int().min(0),
				query: filter,
				after: rowKey.optional(),
				until: rowKey.optional(),
				limit: z.number().int().min(1).max(MAX_WINDOW),
				slim: z.boolean().optional()
			})
			.refine((w) => !w.slim || slimSorts.has(w.query.sort ?? DEFAULT_SOCKET_SORT), {
				path: ['query', 'sort'],
				message: `a slim window sorts by one of ${SLIM_SORT_KEYS.join(', ')}`
			}),
		seek: z.strictObject({ query: filter, offset: z.number().int().min(0).max(10_000_000) })
	};
});
