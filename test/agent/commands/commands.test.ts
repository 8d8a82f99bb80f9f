import { Manager, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Affected } from '../../../server/protocol/commands.js';
import { KICK_EVENT, MOVE_EVENT } from '../../../server/protocol/commands.js';
import { ask, startFixture, type Fixture } from '../../support/agent-fixture.js';
import { RESERVED_EVENTS, collect, kickLog, outcome } from '../../support/dashboard-client.js';

let fx: Fixture;
let dash: ClientSocket;
let node: string;

beforeEach(async () => {
	fx = await startFixture({ nodeId: 'node-1' }, {}, (io) => io.of('/chat'));
	dash = (await fx.dashboard()).socket;
	node = fx.agent.nodeId;
});
afterEach(() => fx.close());

/** Server-side view of a room, the way a cluster would see it. */
async function members(room: string, namespace = '/chat'): Promise<string[]> {
	return (await fx.io.of(namespace).in(room).fetchSockets()).map((s) => s.id).sort();
}

/** The rooms of a socket, as the server has them. */
async function clientRooms(id: string): Promise<string[]> {
	const [socket] = await fx.io.of('/chat').in(id).fetchSockets();
	return [...(socket?.rooms ?? [])].sort();
}

/** Resolves once every client got `barrier`, sent after the command: what came before it has arrived. */
async function barrier(clients: ClientSocket[]): Promise<void> {
	const arrived = clients.map((c) => new Promise((resolve) => c.once('barrier', resolve)));
	fx.io.of('/chat').emit('barrier');
	await Promise.all(arrived);
}

describe('socket:disconnect', () => {
	it('sends the reason first, then disconnects the socket with socket.io reason', async () => {
		const client = await fx.client('/chat');
		const other = await fx.client('/chat');
		const seen = kickLog(client);
		const result = await ask<Affected>(dash, 'socket:disconnect', {
			namespace: '/chat',
			id: client.id,
			reason: 'bye'
		});
		expect(result).toEqual({ sockets: 1, nodes: { [node]: 1 } });
		await expect.poll(() => seen).toEqual(['kicked: bye', 'io server disconnect']);
		expect(other.connected).toBe(true);
	});

	it('with close, closes the whole connection: every namespace of that client', async () => {
		const manager = new Manager(fx.url, { transports: ['websocket'], reconnection: false });
		const main = manager.socket('/');
		const chat = manager.socket('/chat');
		await Promise.all(
			[main, chat].map((s) => new Promise<void>((resolve) => s.once('connect', () => resolve())))
		);
		const reasons = [collect(main, 'disconnect'), collect(chat, 'disconnect')];
		await ask(dash, 'socket:disconnect', { namespace: '/chat', id: chat.id, close: true });
		await expect.poll(() => reasons.map((r) => r.length)).toEqual([1, 1]);
		expect(fx.io.of('/').sockets.size).toBe(0);
		expect(fx.io.of('/chat').sockets.size).toBe(0);
	});
});

describe('room membership', () => {
	it('socket:join puts the socket in the room', async () => {
		const client = await fx.client('/chat');
		expect(
			await ask(dash, 'socket:join', { namespace: '/chat', id: client.id, room: 'lobby' })
		).toEqual({
			sockets: 1,
			nodes: { [node]: 1 }
		});
		expect(await members('lobby')).toEqual([client.id]);
	});

	it('socket:leave takes it out', async () => {
		const client = await fx.client('/chat');
		fx.io.of('/chat').in(client.id!).socketsJoin(['lobby', 'other']);
		await ask(dash, 'socket:leave', { namespace: '/chat', id: client.id, room: 'lobby' });
		expect(await members('lobby')).toEqual([]);
		expect(await members('other')).toEqual([client.id]);
	});

	it('socket:move leaves one room and joins another', async () => {
		const client = await fx.client('/chat');
		fx.io.of('/chat').in(client.id!).socketsJoin('from');
		await ask(dash, 'socket:move', { namespace: '/chat', id: client.id, from: 'from', to: 'to' });
		expect(await members('from')).toEqual([]);
		expect(await members('to')).toEqual([client.id]);
	});

	it('room:move moves every member, after a dry run that changes nothing', async () => {
		const [a, b, c] = await Promise.all([
			fx.client('/chat'),
			fx.client('/chat'),
			fx.client('/chat')
		]);
		fx.io.of('/chat').in([a.id!, b.id!]).socketsJoin('old');
		const dry = await ask(dash, 'room:move', {
			namespace: '/chat',
			room: 'old',
			to: 'new',
			dryRun: true
		});
		expect(dry).toEqual({ sockets: 2, nodes: { [node]: 2 }, dryRun: true });
		expect(await members('old')).toEqual([a.id, b.id].sort());
		await ask(dash, 'room:move', { namespace: '/chat', room: 'old', to: 'new' });
		expect(await members('old')).toEqual([]);
		expect(await members('new')).toEqual([a.id, b.id].sort());
		expect(await members(c.id!)).toEqual([c.id]);
	});

	it('tells each socket it moved, joined or removed with sockscope:moved, after the change', async () => {
		const [a, b, bystander] = await Promise.all([
			fx.client('/chat'),
			fx.client('/chat'),
			fx.client('/chat')
		]);
		fx.io.of('/chat').in([a.id!, b.id!, bystander.id!]).socketsJoin('old');
		const told = [a, b, bystander].map((client) => collect(client, MOVE_EVENT));
		// Each client's rooms when the notice arrives: the change has been made by then.
		const roomsThen: string[][] = [];
		a.on(MOVE_EVENT, async () => roomsThen.push(await clientRooms(a.id!)));
		await ask(dash, 'socket:move', { namespace: '/chat', id: a.id, from: 'old', to: 'new' });
		await ask(dash, 'socket:join', { namespace: '/chat', id: b.id, room: 'extra' });
		await ask(dash, 'socket:leave', { namespace: '/chat', id: b.id, room: 'extra' });
		await ask(dash, 'room:move', { namespace: '/chat', room: 'new', to: 'newer' });
		await barrier([a, b, bystander]);
		expect(told[0]).toEqual([
			{ from: 'old', to: 'new' },
			{ from: 'new', to: 'newer' }
		]);
		expect(told[1]).toEqual([
			{ from: null, to: 'extra' },
			{ from: 'extra', to: null }
		]);
		expect(told[2]).toEqual([]);
		expect(roomsThen[0]).toEqual([a.id, 'new'].sort());
	});

	it('tells nobody when notifyClients is false', async () => {
		await fx.close();
		fx = await startFixture({ nodeId: 'node-1', notifyClients: false }, {}, (io) => io.of('/chat'));
		dash = (await fx.dashboard()).socket;
		const client = await fx.client('/chat');
		const seen = kickLog(client);
		const moves = collect(client, MOVE_EVENT);
		await ask(dash, 'socket:join', { namespace: '/chat', id: client.id, room: 'lobby' });
		await barrier([client]);
		await ask(dash, 'socket:disconnect', { namespace: '/chat', id: client.id, reason: 'bye' });
		await expect.poll(() => seen).toEqual(['io server disconnect']);
		expect(moves).toEqual([]);
	});

	it('answers E_NOT_FOUND for a socket or room that is not there', async () => {
		expect(
			await outcome(dash, 'socket:join', { namespace: '/chat', id: 'nobody', room: 'x' })
		).toBe('E_NOT_FOUND');
		expect(await outcome(dash, 'room:move', { namespace: '/chat', room: 'empty', to: 'x' })).toBe(
			'E_NOT_FOUND'
		);
	});
});

describe('emit:send', () => {
	it('reaches exactly the targeted clients, and not the excepted ones', async () => {
		const [a, b, c] = await Promise.all([
			fx.client('/chat'),
			fx.client('/chat'),
			fx.client('/chat')
		]);
		const got = [a, b, c].map((s) => {
			const calls: unknown[][] = [];
			s.on('test', (...args: unknown[]) => calls.push(args));
			return calls;
		});
		fx.io.of('/chat').in([a.id!, b.id!]).socketsJoin('r');
		fx.io.of('/chat').in(b.id!).socketsJoin('vip');

		const toRoom = await ask(dash, 'emit:send', {
			namespace: '/chat',
			room: 'r',
			except: ['vip'],
			event: 'test',
			args: [1, { x: 'room' }]
		});
		expect(toRoom).toEqual({ sockets: 1, nodes: { [node]: 1 } });
		await ask(dash, 'emit:send', {
			namespace: '/chat',
			socket: c.id,
			event: 'test',
			args: ['socket']
		});
		await ask(dash, 'emit:send', {
			namespace: '/chat',
			except: ['r'],
			event: 'test',
			args: ['namespace']
		});
		await barrier([a, b, c]);
		expect(got).toEqual([[[1, { x: 'room' }]], [], [['socket'], ['namespace']]]);
	});

	it('refuses reserved event names', async () => {
		await fx.client('/chat');
		for (const event of RESERVED_EVENTS) {
			expect(await outcome(dash, 'emit:send', { namespace: '/chat', event, args: [] })).toBe(
				'E_VALIDATION'
			);
		}
	});
});

describe('room:disconnect', () => {
	it('dry-runs, then disconnects every member and only them', async () => {
		const inRoom = await Promise.all([fx.client('/chat'), fx.client('/chat')]);
		const outside = await fx.client('/chat');
		const kicked = inRoom.map((s) => collect<{ reason: string }>(s, KICK_EVENT));
		fx.io
			.of('/chat')
			.in(inRoom.map((s) => s.id!))
			.socketsJoin('doomed');
		expect(
			await ask(dash, 'room:disconnect', { namespace: '/chat', room: 'doomed', dryRun: true })
		).toEqual({
			sockets: 2,
			nodes: { [node]: 2 },
			dryRun: true
		});
		expect(inRoom.every((s) => s.connected)).toBe(true);
		await ask(dash, 'room:disconnect', {
			namespace: '/chat',
			room: 'doomed',
			reason: 'maintenance'
		});
		await expect.poll(() => inRoom.map((s) => s.connected)).toEqual([false, false]);
		expect(kicked).toEqual([[{ reason: 'maintenance' }], [{ reason: 'maintenance' }]]);
		expect(outside.connected).toBe(true);
	});

	it('paces the disconnects at the given rate, acknowledging with the count at once', async () => {
		const clients = await Promise.all([1, 2, 3, 4].map(() => fx.client('/chat')));
		fx.io
			.of('/chat')
			.in(clients.map((s) => s.id!))
			.socketsJoin('slow');
		const result = await ask(dash, 'room:disconnect', {
			namespace: '/chat',
			room: 'slow',
			rate: 20
		});
		expect(result).toEqual({ sockets: 4, nodes: { [node]: 4 } });
		await expect.poll(() => clients.filter((s) => s.connected).length).toBe(0);
	});

	it('stops a paced disconnect when the agent closes', async () => {
		const clients = await Promise.all([1, 2, 3].map(() => fx.client('/chat')));
		fx.io
			.of('/chat')
			.in(clients.map((s) => s.id!))
			.socketsJoin('slow');
		await ask(dash, 'room:disconnect', { namespace: '/chat', room: 'slow', rate: 2 });
		await expect.poll(() => clients.filter((s) => !s.connected).length).toBe(1);
		await fx.agent.close();
		// Proving that nothing more happens takes a wait: two more intervals of the pace.
		await new Promise((resolve) => setTimeout(resolve, 1200));
		expect(clients.filter((s) => s.connected).length).toBe(2);
	});
});

describe('targets', () => {
	it('never targets the admin namespace, nor creates a namespace that does not exist', async () => {
		const admin = fx.agent.options.namespace;
		expect(await outcome(dash, 'socket:disconnect', { namespace: admin, id: dash.id })).toBe(
			'E_ADMIN_NAMESPACE'
		);
		expect(await outcome(dash, 'emit:send', { namespace: admin, event: 'x', args: [] })).toBe(
			'E_ADMIN_NAMESPACE'
		);
		expect(dash.connected).toBe(true);
		expect(await outcome(dash, 'emit:send', { namespace: '/nope', event: 'x', args: [] })).toBe(
			'E_NOT_FOUND'
		);
		expect(await outcome(dash, 'room:disconnect', { namespace: '/nope2', room: 'r' })).toBe(
			'E_NOT_FOUND'
		);
		expect([...fx.io._nsps.keys()].sort()).toEqual(['/', '/chat', admin].sort());
	});
});
