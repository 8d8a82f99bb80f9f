import { afterEach, describe, expect, test } from 'vitest';
import type { ChatMessage } from '../../server/demo/namespaces/chat-rooms.js';
import { drain, request, startDemo, type DemoFixture } from '../support/demo-fixture.js';
import { collect, waitFor } from '../support/util.js';

let demo: DemoFixture;
afterEach(() => demo?.close());

async function joined(namespace: string, name: string, room: string) {
	const socket = await demo.client(namespace, { name });
	await request(socket, 'room:join', room);
	return socket;
}

describe('chat rooms', () => {
	test('deliver a message to the rest of the room, and to the sender once: by ack', async () => {
		demo = await startDemo();
		const alice = await joined('/', 'alice', 'general');
		const bob = await joined('/', 'bob', 'general');
		const carol = await joined('/', 'carol', 'random');
		const dave = await joined('/tenant-acme', 'dave', 'rockets');
		const heard = {
			alice: collect<ChatMessage>(alice, 'message:new'),
			bob: collect<ChatMessage>(bob, 'message:new'),
			carol: collect<ChatMessage>(carol, 'message:new'),
			dave: collect<ChatMessage>(dave, 'message:new')
		};

		const sent = await request<ChatMessage>(alice, 'message:send', '  hello, general  ');

		expect(sent).toMatchObject({ room: 'general', from: 'alice', text: 'hello, general' });
		await expect.poll(() => heard.bob).toEqual([sent]);
		await Promise.all([alice, carol, dave].map((socket) => drain(socket)));
		expect(heard.alice).toEqual([]);
		expect(heard.carol).toEqual([]);
		expect(heard.dave).toEqual([]);
	});

	test('announce who joins and leaves, and list who is there', async () => {
		demo = await startDemo();
		const alice = await joined('/', 'alice', 'help');
		const arrivals = waitFor(alice, 'member:joined');

		const bob = await demo.client('/', { name: 'bob' });
		const presence = await request<{ members: { name: string }[]; total: number }>(
			bob,
			'room:join',
			'help'
		);

		expect(presence.members.map((m) => m.name).sort()).toEqual(['alice', 'bob']);
		expect(presence.total).toBe(2);
		expect(await arrivals).toEqual({ room: 'help', id: bob.id, name: 'bob' });

		const departures = waitFor(alice, 'member:left');
		await request(bob, 'room:join', 'random');
		expect(await departures).toEqual({ room: 'help', id: bob.id, name: 'bob' });

		await request(bob, 'room:join', 'help');
		const gone = waitFor(alice, 'member:left');
		bob.disconnect();
		expect(await gone).toMatchObject({ room: 'help', name: 'bob' });
	});

	test('relay typing to the rest of the room', async () => {
		demo = await startDemo();
		const alice = await joined('/', 'alice', 'general');
		const bob = await joined('/', 'bob', 'general');
		const typing = waitFor(bob, 'typing:update');
		alice.emit('typing:update', true);
		expect(await typing).toEqual({ room: 'general', id: alice.id, name: 'alice', typing: true });
	});

	test('list rooms with member counts, including a room a user creates', async () => {
		demo = await startDemo();
		const alice = await joined('/', 'alice', 'general');
		await joined('/', 'bob', 'movie-night');

		const rooms = await request<{ name: string; members: number }[]>(alice, 'rooms:list');

		expect(rooms).toEqual([
			{ name: 'general', members: 1 },
			{ name: 'random', members: 0 },
			{ name: 'help', members: 0 },
			{ name: 'movie-night', members: 1 }
		]);
	});

	test('forget a created room once it empties', async () => {
		demo = await startDemo();
		const bob = await joined('/', 'bob', 'movie-night');
		await request(bob, 'room:leave');
		const names = (await request<{ name: string }[]>(bob, 'rooms:list')).map((r) => r.name);
		expect(names).toEqual(['general', 'random', 'help']);
	});

	test('refuse bad room names and messages with a reason', async () => {
		demo = await startDemo();
		const alice = await demo.client('/', { name: 'alice' });
		await expect(request(alice, 'message:send', 'hi')).rejects.toThrow('join a room first');
		await expect(request(alice, 'room:join', 'a room')).rejects.toThrow(/lowercase letters/);
		await expect(request(alice, 'room:join', 42)).rejects.toThrow('room name must be a string');
		await request(alice, 'room:join', 'general');
		await expect(request(alice, 'message:send', '')).rejects.toThrow('message must not be empty');
		await expect(request(alice, 'message:send', 'x'.repeat(501))).rejects.toThrow(/at most 500/);
	});

	test('keep tenants apart: own rooms, own events', async () => {
		demo = await startDemo();
		const wile = await joined('/tenant-acme', 'wile', 'rockets');
		const road = await joined('/tenant-acme', 'road', 'rockets');
		const hank = await joined('/tenant-globex', 'hank', 'engineering');
		const lisa = await joined('/tenant-globex', 'lisa', 'engineering');
		const orders = collect(road, 'order:placed');
		const leaked = { hank: collect(hank, 'order:placed'), lisa: collect(lisa, 'order:placed') };

		const { at } = await request<{ at: number }>(wile, 'order:placed', { sku: 'ANVIL-1' });

		await expect
			.poll(() => orders)
			.toEqual([{ room: 'rockets', from: 'wile', at, payload: { sku: 'ANVIL-1' } }]);
		const globexRooms = (await request<{ name: string }[]>(hank, 'rooms:list')).map((r) => r.name);
		expect(globexRooms).toEqual(['engineering', 'sales', 'hammocks']);
		// globex has no such event: not even a globex client can send it to its own room.
		hank.emit('order:placed', { sku: 'ANVIL-2' });
		await drain(hank);
		await drain(lisa);
		expect(leaked).toEqual({ hank: [], lisa: [] });
	});
});
