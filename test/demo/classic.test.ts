/**
 * The protocol of socket.io's classic chat example: a client that connects without a name, emits
 * `chat message` with a string and shows every `chat message` it receives.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { ChatMessage } from '../../server/demo/namespaces/chat-rooms.js';
import { drain, request, startDemo, type DemoFixture } from '../support/demo-fixture.js';
import { collect } from '../support/util.js';

let demo: DemoFixture;
afterEach(() => demo?.close());

describe('classic chat protocol', () => {
	test('delivers each classic message once to every classic client, sender included', async () => {
		demo = await startDemo();
		const first = await demo.client('/');
		const second = await demo.client('/');
		const heard = {
			first: collect(first, 'chat message'),
			second: collect(second, 'chat message')
		};

		first.emit('chat message', 'hello from the tutorial');

		await expect.poll(() => heard.second).toEqual(['hello from the tutorial']);
		await drain(first);
		expect(heard.first).toEqual(['hello from the tutorial']);
	});

	test('bridges classic clients and rich clients in general', async () => {
		demo = await startDemo();
		const classic = await demo.client('/', {}, { transports: ['polling'] });
		const rich = await demo.client('/', { name: 'alice' });
		await request(rich, 'room:join', 'general');
		const toClassic = collect(classic, 'chat message');
		const toRich = collect<ChatMessage>(rich, 'message:new');

		classic.emit('chat message', 'hi alice');
		await expect.poll(() => toRich).toMatchObject([{ room: 'general', text: 'hi alice' }]);
		expect(toRich[0].from).toMatch(/^guest-/);

		await request(rich, 'message:send', 'hi guest');
		await expect.poll(() => toClassic).toEqual(['hi alice', 'hi guest']);
	});

	test('keeps a classic client out of other rooms and out of rich events', async () => {
		demo = await startDemo();
		const classic = await demo.client('/');
		const rich = await demo.client('/', { name: 'bob' });
		await request(rich, 'room:join', 'random');
		const heard = collect(classic, 'chat message');
		const richEvents: unknown[] = [];
		classic.onAny((event) => event !== 'chat message' && richEvents.push(event));

		await request(rich, 'message:send', 'only for random');
		await request(rich, 'room:join', 'general');
		await request(rich, 'message:send', 'for general');

		await expect.poll(() => heard).toEqual(['for general']);
		await drain(classic);
		expect(richEvents).toEqual([]);
		await expect(request(classic, 'room:join', 'random')).rejects.toThrow(/auth\.name/);
	});

	test('answers the ack callback that later tutorial steps pass', async () => {
		demo = await startDemo();
		const classic = await demo.client('/');
		await expect(
			classic.timeout(5000).emitWithAck('chat message', 'with ack', 'client-offset-1')
		).resolves.toBeDefined();
	});
});
