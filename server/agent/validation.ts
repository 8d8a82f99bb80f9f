/**
 * Schemas of what a dashboard may send. Everything is checked here before anything happens: unknown
 * fields, wrong types, oversized strings. The types they produce are the protocol's own.
 */
import { z } from 'zod';
import { MAX_FILTER_TEXT, MAX_PAGE_SIZE, MAX_ROOM_NAME } from '../protocol/limits.js';
import type {
	HistoryQuery,
	LogFilter,
	MembersQuery,
	RoomsQuery,
	SocketRef,
	SocketsQuery
} from '../protocol/models.js';
import { AgentError } from './errors.js';

export const namespaceField = z.string().min(1).max(MAX_ROOM_NAME).startsWith('/');
export const socketIdField = z.string().min(1).max(64);
export const roomField = z.string().min(1).max(MAX_ROOM_NAME);
const cursorField = z.string().max(2048);
const limitField = z.number().int().min(1).max(MAX_PAGE_SIZE);
const transportField = z.enum(['websocket', 'polling', 'webtransport']);

export const schemas = {
	empty: z.strictObject({}),
	sockets: z.strictObject({
		namespace: namespaceField.optional(),
		room: roomField.optional(),
		transport: transportField.optional(),
		nodeId: z.string().max(128).optional(),
		text: z.string().max(MAX_FILTER_TEXT).optional(),
		sort: z
			.enum(['connectedAt', 'id', 'namespace', 'address', 'rtt', 'eventsIn', 'eventsOut', 'bytesIn', 'bytesOut'])
			.optional(),
		order: z.enum(['asc', 'desc']).optional(),
		cursor: cursorField.optional(),
		limit: limitField.optional()
	}) satisfies z.ZodType<SocketsQuery>,
	socketRef: z.strictObject({ namespace: namespaceField, id: socketIdField }) satisfies z.ZodType<SocketRef>,
	rooms: z.strictObject({
		namespace: namespaceField.optional(),
		text: z.string().max(MAX_FILTER_TEXT).optional(),
		sort: z.enum(['size', 'name']).optional(),
		order: z.enum(['asc', 'desc']).optional(),
		cursor: cursorField.optional(),
		limit: limitField.optional()
	}) satisfies z.ZodType<RoomsQuery>,
	members: z.strictObject({
		namespace: namespaceField,
		room: roomField,
		cursor: cursorField.optional(),
		limit: limitField.optional()
	}) satisfies z.ZodType<MembersQuery>,
	history: z.strictObject({ range: z.enum(['1m', '5m', '15m', '1h', '6h']) }) satisfies z.ZodType<HistoryQuery>,
	logFilter: z.strictObject({
		namespace: namespaceField.optional(),
		room: roomField.optional(),
		socket: socketIdField.optional(),
		event: z.string().min(1).max(MAX_ROOM_NAME).optional()
	}) satisfies z.ZodType<LogFilter>
};

/** Parses a payload or throws an `E_VALIDATION` error saying which field is wrong and how. */
export function parse<T>(schema: z.ZodType<T>, payload: unknown): T {
	const result = schema.safeParse(payload ?? {});
	if (result.success) return result.data;
	const issue = result.error.issues[0];
	const where = issue.path.length ? issue.path.join('.') : 'payload';
	throw new AgentError('E_VALIDATION', `${where}: ${issue.message}`);
}
