/**
 * Schemas of what a dashboard may send. Everything is checked here before anything happens: unknown
 * fields, wrong types, oversized strings. The types they produce are the protocol's own.
 */
import { z } from 'zod';
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
import { ownCopy, withPlainPrototype } from './own-keys.js';

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

/**
 * The schemas, built with the host's prototype keys hidden from zod (see `withPlainPrototype`), so
 * that importing the agent works in a process whose `Object.prototype` a library has polluted.
 */
const built = withPlainPrototype(() => {
	const namespaceField = z.string().min(1).max(MAX_ROOM_NAME).startsWith('/');
	const socketIdField = z.string().min(1).max(64);
	const roomField = z.string().min(1).max(MAX_ROOM_NAME);
	const cursorField = z.string().max(2048);
	const limitField = z.number().int().min(1).max(MAX_PAGE_SIZE);
	const transportField = z.enum(TRANSPORTS);
	const orderField = z.enum(SORT_ORDERS);
	const reasonField = z.string().max(MAX_FILTER_TEXT);
	const timeField = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
	const clientField = z.string().min(1).max(MAX_FILTER_TEXT);

	const eventField = z
		.string()
		.min(1)
		.max(MAX_ROOM_NAME)
		.refine((name) => !RESERVED_EVENTS.has(name), 'is a name socket.io reserves');

	const emitArgsField = z.array(z.unknown()).superRefine((args, ctx) => {
		const problem = jsonProblem(args);
		if (problem) {
			ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
			return;
		}
		// Only measured once the walk has bounded the depth, so stringify cannot overflow the stack.
		if (Buffer.byteLength(JSON.stringify(args)) > MAX_EMIT_ARGS_BYTES) {
			ctx.addIssue({ code: 'custom', message: `larger than ${MAX_EMIT_ARGS_BYTES} bytes as JSON` });
		}
	});

	const schemas = {
		empty: z.strictObject({}),
		sockets: z.strictObject({
			namespace: namespaceField.optional(),
			room: roomField.optional(),
			transport: transportField.optional(),
			nodeId: z.string().max(128).optional(),
			text: z.string().max(MAX_FILTER_TEXT).optional(),
			sort: z.enum(SOCKET_SORT_KEYS).optional(),
			order: orderField.optional(),
			cursor: cursorField.optional(),
			limit: limitField.optional()
		}) satisfies z.ZodType<SocketsQuery>,
		socketRef: z.strictObject({
			namespace: namespaceField,
			id: socketIdField
		}) satisfies z.ZodType<SocketRef>,
		namespaces: z.strictObject({
			text: z.string().max(MAX_FILTER_TEXT).optional(),
			sort: z.enum(NAMESPACE_SORT_KEYS).optional(),
			order: orderField.optional(),
			cursor: cursorField.optional(),
			limit: limitField.optional(),
			names: z.array(namespaceField).max(MAX_PAGE_SIZE).optional()
		}) satisfies z.ZodType<NamespacesQuery>,
		rooms: z.strictObject({
			namespace: namespaceField.optional(),
			text: z.string().max(MAX_FILTER_TEXT).optional(),
			sort: z.enum(ROOM_SORT_KEYS).optional(),
			order: orderField.optional(),
			cursor: cursorField.optional(),
			limit: limitField.optional()
		}) satisfies z.ZodType<RoomsQuery>,
		members: z.strictObject({
			namespace: namespaceField,
			room: roomField,
			cursor: cursorField.optional(),
			limit: limitField.optional()
		}) satisfies z.ZodType<MembersQuery>,
		// A preset range, or an absolute span no longer than the history kept: a clear error for
		// each way of getting it wrong, rather than the union's "invalid input".
		history: z
			.strictObject({
				range: z.enum(HISTORY_RANGES).optional(),
				from: timeField.optional(),
				to: timeField.optional()
			})
			.superRefine((q, ctx) => {
				const problem = historyQueryProblem(q);
				if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
			})
			.transform(
				(q): HistoryQuery => (q.range ? { range: q.range } : { from: q.from!, to: q.to! })
			) satisfies z.ZodType<HistoryQuery, unknown>,
		roomHistory: z.strictObject({
			namespace: namespaceField,
			room: roomField,
			range: z.enum(HISTORY_RANGES)
		}) satisfies z.ZodType<RoomHistoryQuery>,
		logFilter: z.strictObject({
			namespace: namespaceField.optional(),
			direction: z.enum(['in', 'out']).optional(),
			room: roomField.optional(),
			socket: socketIdField.optional(),
			event: z.string().min(1).max(MAX_ROOM_NAME).optional()
		}) satisfies z.ZodType<LogFilter>,
		audit: z.strictObject({
			cursor: z.string().min(1).max(64).optional(),
			limit: limitField.optional()
		}) satisfies z.ZodType<AuditQuery>,
		disconnects: z.strictObject({
			text: z.string().max(MAX_FILTER_TEXT).optional(),
			reason: z.string().min(1).max(MAX_FILTER_TEXT).optional(),
			namespace: namespaceField.optional(),
			since: timeField.optional(),
			until: timeField.optional(),
			cursor: cursorField.optional(),
			limit: limitField.optional()
		}) satisfies z.ZodType<DisconnectsQuery>,
		// Exactly one client field: an exact label, address or user agent.
		disconnectPatterns: z.union([
			z.strictObject({ label: clientField }),
			z.strictObject({ address: clientField }),
			z.strictObject({ userAgent: clientField })
		], { error: 'give exactly one of label, address or userAgent' }) satisfies z.ZodType<DisconnectPatternsQuery>
	};

	/** Admin commands, by event name: strict, so a misspelt field is an error, not ignored. */
	const commandSchemas = {
		'socket:disconnect': z.strictObject({
			namespace: namespaceField,
			id: socketIdField,
			reason: reasonField.optional(),
			close: z.boolean().optional()
		}) satisfies z.ZodType<DisconnectInput>,
		'socket:join': z.strictObject({
			namespace: namespaceField,
			id: socketIdField,
			room: roomField
		}) satisfies z.ZodType<RoomInput>,
		'socket:leave': z
			.strictObject({ namespace: namespaceField, id: socketIdField, room: roomField })
			.refine((input) => input.room !== input.id, ownRoom('room')) satisfies z.ZodType<RoomInput>,
		'socket:move': z
			.strictObject({
				namespace: namespaceField,
				id: socketIdField,
				from: roomField,
				to: roomField
			})
			.refine((input) => input.from !== input.id, ownRoom('from')) satisfies z.ZodType<MoveInput>,
		'emit:send': z
			.strictObject({
				namespace: namespaceField,
				socket: socketIdField.optional(),
				room: roomField.optional(),
				except: z.array(roomField).max(100).optional(),
				event: eventField,
				args: emitArgsField
			})
			.refine((input) => input.socket === undefined || input.room === undefined, {
				path: ['room'],
				message: 'give a socket or a room, not both'
			}) satisfies z.ZodType<EmitInput>,
		'room:move': z
			.strictObject({
				namespace: namespaceField,
				room: roomField,
				to: roomField,
				dryRun: z.boolean().optional()
			})
			.refine((input) => input.to !== input.room, {
				path: ['to'],
				message: 'must differ from room'
			}) satisfies z.ZodType<RoomMoveInput>,
		'room:disconnect': z.strictObject({
			namespace: namespaceField,
			room: roomField,
			reason: reasonField.optional(),
			dryRun: z.boolean().optional(),
			rate: z.number().int().min(1).max(100_000).optional()
		}) satisfies z.ZodType<RoomDisconnectInput>
	};

	return { namespaceField, socketIdField, roomField, schemas, commandSchemas };
});
export const { namespaceField, socketIdField, roomField, schemas, commandSchemas } = built;

/** What is wrong with a history query's fields, once each has its type; null when nothing. */
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
export function parse<T>(schema: z.ZodType<T>, payload: unknown): T {
	// Own keys only, in and out: a key the host put on Object.prototype is neither an unknown field
	// of the payload nor the value of a field the dashboard left out.
	const result = schema.safeParse(ownCopy(payload ?? {}));
	if (result.success) return ownCopy(result.data);
	const issue = result.error.issues[0];
	const where = issue.path.length ? issue.path.join('.') : 'payload';
	throw new AgentError('E_VALIDATION', `${where}: ${issue.message}`);
}
