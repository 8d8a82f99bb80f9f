/**
 * Schemas of what a dashboard may send. Everything is checked here before anything happens: unknown
 * fields, wrong types, oversized strings. The types they produce are the protocol's own.
 */
import {
	HISTORY_KEPT,
	MAX_EMIT_ARGS_BYTES,
	MAX_FILTER_TEXT,
	MAX_PAGE_SIZE,
	MAX_ROOM_NAME
} from '../../protocol/limits.js';
import type {
	AuditQuery,
	DisconnectInput,
	EmitInput,
	MoveInput,
	RoomDisconnectInput,
	RoomInput,
	RoomMoveInput
} from '../../protocol/commands.js';
import type {
	DisconnectPatternsQuery,
	DisconnectsQuery,
	HistoryQuery,
	LogFilter,
	MembersQuery,
	NamespacesQuery,
	RoomHistoryQuery,
	RoomsQuery,
	SocketRef,
	SocketsQuery
} from '../../protocol/models.js';
import {
	HISTORY_RANGES,
	NAMESPACE_SORT_KEYS,
	ROOM_SORT_KEYS,
	SOCKET_SORT_KEYS,
	SORT_ORDERS,
	TRANSPORTS
} from '../../protocol/vocabulary.js';
import { AgentError } from './errors.js';
import { ownCopy } from './own-keys.js';
import { issueText, v, type Schema } from './schema.js';

/** Names socket.io keeps for itself: emitting them would confuse the clients or throw. */
const RESERVED_EVENTS = new Set([
	'connect',
	'connect_error',
	'disconnect',
	'disconnecting',
	'newListener',
	'removeListener'
]);

/** Keys that could reach an object's prototype in a client that merges the arguments. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_ARGS_DEPTH = 32;

type Problem = { path: (string | number)[]; message: string };

/** Why a value is not plain, safe JSON, or null when it is. Bounded depth, so no stack overflow. */
function jsonProblem(value: unknown, path: (string | number)[] = []): Problem | null {
	if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
	if (typeof value === 'number') {
		return Number.isFinite(value) ? null : { path, message: 'must be a finite number' };
	}
	if (path.length > MAX_ARGS_DEPTH) {
		return { path, message: `nested deeper than ${MAX_ARGS_DEPTH} levels` };
	}
	if (Array.isArray(value)) {
		for (let i = 0; i < value.length; i++) {
			const problem = jsonProblem(value[i], [...path, i]);
			if (problem) return problem;
		}
		return null;
	}
	const proto = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
	if (proto !== Object.prototype && proto !== null) {
		return { path, message: 'must be a JSON value' };
	}
	for (const key of Object.keys(value as object)) {
		if (FORBIDDEN_KEYS.has(key)) return { path: [...path, key], message: 'is a forbidden key' };
		const problem = jsonProblem((value as Record<string, unknown>)[key], [...path, key]);
		if (problem) return problem;
	}
	return null;
}

/** A socket leaving the room named by its own id could no longer be reached by id. */
function ownRoom(field: string) {
	return { path: [field], message: "must not be the socket's own room" };
}

/** The fields shared by the schemas below and by other parts of the agent. */
export const namespaceField = v.string().min(1).max(MAX_ROOM_NAME).startsWith('/');
export const socketIdField = v.string().min(1).max(64);
export const roomField = v.string().min(1).max(MAX_ROOM_NAME);
const cursorField = v.string().max(2048);
const limitField = v.number().int().min(1).max(MAX_PAGE_SIZE);
const transportField = v.enum(TRANSPORTS);
const orderField = v.enum(SORT_ORDERS);
const reasonField = v.string().max(MAX_FILTER_TEXT);
const timeField = v.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const clientField = v.string().min(1).max(MAX_FILTER_TEXT);

const eventField = v
	.string()
	.min(1)
	.max(MAX_ROOM_NAME)
	.refine((name) => !RESERVED_EVENTS.has(name), 'is a name socket.io reserves');

const emitArgsField = v.array(v.unknown()).check((args) => {
	const problem = jsonProblem(args);
	if (problem) return problem;
	// Only measured once the walk has bounded the depth, so stringify cannot overflow the stack.
	if (Buffer.byteLength(JSON.stringify(args)) > MAX_EMIT_ARGS_BYTES) {
		return { message: `larger than ${MAX_EMIT_ARGS_BYTES} bytes as JSON` };
	}
	return null;
});

export const schemas = {
	empty: v.strictObject({}),
	sockets: v.strictObject({
		namespace: namespaceField.optional(),
		room: roomField.optional(),
		transport: transportField.optional(),
		nodeId: v.string().max(128).optional(),
		text: v.string().max(MAX_FILTER_TEXT).optional(),
		sort: v.enum(SOCKET_SORT_KEYS).optional(),
		order: orderField.optional(),
		cursor: cursorField.optional(),
		limit: limitField.optional()
	}) satisfies Schema<SocketsQuery>,
	socketRef: v.strictObject({
		namespace: namespaceField,
		id: socketIdField
	}) satisfies Schema<SocketRef>,
	namespaces: v.strictObject({
		text: v.string().max(MAX_FILTER_TEXT).optional(),
		sort: v.enum(NAMESPACE_SORT_KEYS).optional(),
		order: orderField.optional(),
		cursor: cursorField.optional(),
		limit: limitField.optional(),
		names: v.array(namespaceField).max(MAX_PAGE_SIZE).optional()
	}) satisfies Schema<NamespacesQuery>,
	rooms: v.strictObject({
		namespace: namespaceField.optional(),
		text: v.string().max(MAX_FILTER_TEXT).optional(),
		sort: v.enum(ROOM_SORT_KEYS).optional(),
		order: orderField.optional(),
		cursor: cursorField.optional(),
		limit: limitField.optional()
	}) satisfies Schema<RoomsQuery>,
	members: v.strictObject({
		namespace: namespaceField,
		room: roomField,
		cursor: cursorField.optional(),
		limit: limitField.optional()
	}) satisfies Schema<MembersQuery>,
	// A preset range, or an absolute span no longer than the history kept: a clear error for each
	// way of getting it wrong. Once checked, the object is one form or the other, as HistoryQuery.
	history: v
		.strictObject({
			range: v.enum(HISTORY_RANGES).optional(),
			from: timeField.optional(),
			to: timeField.optional()
		})
		.check(historyQueryProblem) as Schema<unknown> as Schema<HistoryQuery>,
	roomHistory: v.strictObject({
		namespace: namespaceField,
		room: roomField,
		range: v.enum(HISTORY_RANGES)
	}) satisfies Schema<RoomHistoryQuery>,
	logFilter: v.strictObject({
		namespace: namespaceField.optional(),
		direction: v.enum(['in', 'out']).optional(),
		room: roomField.optional(),
		socket: socketIdField.optional(),
		event: v.string().min(1).max(MAX_ROOM_NAME).optional()
	}) satisfies Schema<LogFilter>,
	audit: v.strictObject({
		cursor: v.string().min(1).max(64).optional(),
		limit: limitField.optional()
	}) satisfies Schema<AuditQuery>,
	disconnects: v.strictObject({
		text: v.string().max(MAX_FILTER_TEXT).optional(),
		reason: v.string().min(1).max(MAX_FILTER_TEXT).optional(),
		namespace: namespaceField.optional(),
		since: timeField.optional(),
		until: timeField.optional(),
		cursor: cursorField.optional(),
		limit: limitField.optional()
	}) satisfies Schema<DisconnectsQuery>,
	// Exactly one client field: an exact label, address or user agent.
	disconnectPatterns: v.union(
		[
			v.strictObject({ label: clientField }),
			v.strictObject({ address: clientField }),
			v.strictObject({ userAgent: clientField })
		],
		'give exactly one of label, address or userAgent'
	) satisfies Schema<DisconnectPatternsQuery>
};

/** Admin commands, by event name: strict, so a misspelt field is an error, not ignored. */
export const commandSchemas = {
	'socket:disconnect': v.strictObject({
		namespace: namespaceField,
		id: socketIdField,
		reason: reasonField.optional(),
		close: v.boolean().optional()
	}) satisfies Schema<DisconnectInput>,
	'socket:join': v.strictObject({
		namespace: namespaceField,
		id: socketIdField,
		room: roomField
	}) satisfies Schema<RoomInput>,
	'socket:leave': v
		.strictObject({ namespace: namespaceField, id: socketIdField, room: roomField })
		.refine((input) => input.room !== input.id, ownRoom('room')) satisfies Schema<RoomInput>,
	'socket:move': v
		.strictObject({
			namespace: namespaceField,
			id: socketIdField,
			from: roomField,
			to: roomField
		})
		.refine((input) => input.from !== input.id, ownRoom('from')) satisfies Schema<MoveInput>,
	'emit:send': v
		.strictObject({
			namespace: namespaceField,
			socket: socketIdField.optional(),
			room: roomField.optional(),
			except: v.array(roomField).max(100).optional(),
			event: eventField,
			args: emitArgsField
		})
		.refine((input) => input.socket === undefined || input.room === undefined, {
			path: ['room'],
			message: 'give a socket or a room, not both'
		}) satisfies Schema<EmitInput>,
	'room:move': v
		.strictObject({
			namespace: namespaceField,
			room: roomField,
			to: roomField,
			dryRun: v.boolean().optional()
		})
		.refine((input) => input.to !== input.room, {
			path: ['to'],
			message: 'must differ from room'
		}) satisfies Schema<RoomMoveInput>,
	'room:disconnect': v.strictObject({
		namespace: namespaceField,
		room: roomField,
		reason: reasonField.optional(),
		dryRun: v.boolean().optional(),
		rate: v.number().int().min(1).max(100_000).optional()
	}) satisfies Schema<RoomDisconnectInput>
};

/** What is wrong with a history query's range or span, or null when it names exactly one. */
function historyQueryProblem(q: { range?: string; from?: number; to?: number }): Problem | null {
	const span = q.from !== undefined || q.to !== undefined;
	if (q.range !== undefined && span)
		return { path: ['range'], message: 'give either a range or from and to, not both' };
	if (q.range !== undefined) return null;
	if (q.from === undefined || q.to === undefined)
		return {
			path: [q.from === undefined ? 'from' : 'to'],
			message: span ? 'an absolute range needs both from and to' : 'give a range or from and to'
		};
	if (q.from >= q.to) return { path: ['to'], message: 'must be after from' };
	if (q.to - q.from > HISTORY_KEPT.COARSE_MS)
		return {
			path: ['to'],
			message: `at most ${HISTORY_KEPT.COARSE_MS / 3_600_000} h after from (the history kept)`
		};
	return null;
}

/** Parses a payload or throws an `E_VALIDATION` error saying which field is wrong and how. */
export function parse<T>(schema: Schema<T>, payload: unknown): T {
	// Own keys only, in and out: a key the host put on Object.prototype is neither an unknown field
	// of the payload nor the value of a field the dashboard left out.
	const result = schema.safeParse(ownCopy(payload ?? {}));
	if (result.success) return ownCopy(result.data);
	throw new AgentError('E_VALIDATION', issueText(result.issue, 'payload'));
}
