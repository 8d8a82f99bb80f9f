/**
 * Sockscope's admin commands in admin-ui's terms. admin-ui takes `emit`, `join`, `leave` and
 * `_disconnect` with a room filter (a socket is the room named by its id) and acknowledges none
 * of them, so a command counts as done when the change shows in the events it pushes back, and
 * the count it reports is the indexed one. A move is a join then a leave; a kick's reason is sent
 * to the client first as `sockscope:kicked`, and a socket moved, joined or removed is told after
 * with `sockscope:moved`, as Sockscope's agent does.
 */
import {
	KICK_EVENT,
	MOVE_EVENT,
	type Affected,
	type CommandMap,
	type CommandName,
	type MovedNotice
} from '$protocol/commands';
import { RequestError } from '../connector';
import { ROOM_WIDE } from './capabilities';
import type { SocketIndex } from './socket-index';
import type { AdminUiClientEvents, AdminUiFeature } from './wire';

export interface CommandContext {
	index: SocketIndex;
	supported: readonly AdminUiFeature[];
	send<E extends keyof AdminUiClientEvents>(
		event: E,
		...args: Parameters<AdminUiClientEvents[E]>
	): void;
	/** Resolves true once `check` holds after the server's updates, or false after a timeout. */
	until(check: () => boolean): Promise<boolean>;
}

function affected(sockets: number, dryRun?: boolean): Affected {
	return dryRun ? { sockets, nodes: {}, dryRun } : { sockets, nodes: {} };
}

async function confirm(ctx: CommandContext, check: () => boolean): Promise<void> {
	if (!(await ctx.until(check)))
		throw new RequestError('E_TIMEOUT', 'The server did not show the change in time.');
}

function roomWide(ctx: CommandContext): void {
	if (!ROOM_WIDE.every((f) => ctx.supported.includes(f)))
		throw new RequestError(
			'E_UNSUPPORTED',
			'This admin-ui server cannot act on a whole room (it needs socket.io 4).'
		);
}

export async function runCommand<K extends CommandName>(
	ctx: CommandContext,
	name: K,
	input: CommandMap[K]['input']
): Promise<Affected> {
	const { index } = ctx;
	const rooms = (ns: string, id: string) => index.get(ns, id)?.rooms;
	switch (name) {
		case 'socket:disconnect': {
			const { namespace, id, reason, close } = input as CommandMap['socket:disconnect']['input'];
			const known = index.get(namespace, id) !== undefined;
			if (reason) ctx.send('emit', namespace, id, KICK_EVENT, { reason });
			ctx.send('_disconnect', namespace, close ?? false, id);
			if (known) await confirm(ctx, () => !index.get(namespace, id));
			return affected(known ? 1 : 0);
		}
		case 'socket:join':
		case 'socket:leave': {
			const { namespace, id, room } = input as CommandMap['socket:join']['input'];
			const join = name === 'socket:join';
			ctx.send(join ? 'join' : 'leave', namespace, room, id);
			const notice: MovedNotice = join ? { from: null, to: room } : { from: room, to: null };
			ctx.send('emit', namespace, id, MOVE_EVENT, notice);
			if (!rooms(namespace, id)) return affected(0);
			await confirm(ctx, () => rooms(namespace, id)?.has(room) === join);
			return affected(1);
		}
		case 'socket:move': {
			const { namespace, id, from, to } = input as CommandMap['socket:move']['input'];
			ctx.send('join', namespace, to, id);
			ctx.send('leave', namespace, from, id);
			ctx.send('emit', namespace, id, MOVE_EVENT, { from, to } satisfies MovedNotice);
			if (!rooms(namespace, id)) return affected(0);
			await confirm(ctx, () => !!rooms(namespace, id)?.has(to) && !rooms(namespace, id)?.has(from));
			return affected(1);
		}
		case 'emit:send': {
			const { namespace, socket, room, except, event, args } =
				input as CommandMap['emit:send']['input'];
			if (except?.length)
				throw new RequestError('E_UNSUPPORTED', '@socket.io/admin-ui cannot leave sockets out.');
			const target = socket ?? room;
			const count = socket
				? Number(index.get(namespace, socket) !== undefined)
				: room
					? index.roomSize(namespace, room)
					: (index.namespaces.get(namespace)?.sockets.size ?? 0);
			ctx.send('emit', namespace, target, event, ...args);
			return affected(count);
		}
		case 'room:move': {
			const { namespace, room, to, dryRun } = input as CommandMap['room:move']['input'];
			roomWide(ctx);
			const count = index.roomSize(namespace, room);
			if (dryRun) return affected(count, true);
			ctx.send('join', namespace, to, room);
			ctx.send('leave', namespace, room, room);
			await confirm(ctx, () => index.roomSize(namespace, room) === 0);
			return affected(count);
		}
		case 'room:disconnect': {
			const { namespace, room, reason, dryRun, rate } =
				input as CommandMap['room:disconnect']['input'];
			roomWide(ctx);
			if (rate !== undefined)
				throw new RequestError('E_UNSUPPORTED', '@socket.io/admin-ui cannot pace disconnects.');
			const count = index.roomSize(namespace, room);
			if (dryRun) return affected(count, true);
			if (reason) ctx.send('emit', namespace, room, KICK_EVENT, { reason });
			ctx.send('_disconnect', namespace, false, room);
			await confirm(ctx, () => index.roomSize(namespace, room) === 0);
			return affected(count);
		}
	}
	throw new RequestError('E_UNSUPPORTED', `Unknown command ${name}.`);
}
