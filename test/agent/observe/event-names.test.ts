/**
 * Event names and counts per name, as the agent reads them from the wire — and, with a custom
 * parser whose packets it cannot read, as socket.io's own hooks report them.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { EventEmitter } from 'node:events';
import type { Socket as ClientSocket } from 'socket.io-client';
import type { EventFigures, SocketDetails } from '../../../server/protocol/models.js';
import { ask, once, startFixture, type Fixture } from '../../support/agent-fixture.js';

let f: Fixture | undefined;
afterEach(async () => {
	await f?.close();
	f = undefined;
});

/** A parser with its own wire format (each packet one JSON object), as msgpack users have one. */
const objectParser = {
	Encoder: class {
		encode(packet: object) {
			return [JSON.stringify(packet)];
		}
	},
	Decoder: class extends EventEmitter {
		add(chunk: string) {
			this.emit('decoded', JSON.parse(chunk));
		}
		destroy() {}
	}
};

const NAMES = ['say "hi"', 'back\\slash', 'plain', 'héllo ✓', 'a,b]', 'plain'];

/** Every name in NAMES once from the client, each answered with `echo:<name>`; a broadcast to all. */
async function traffic(client: ClientSocket, other: ClientSocket): Promise<void> {
	for (const name of NAMES) {
		const echoed = once(client, `echo:${name}`);
		client.emit(name, 1, 'two', { three: 3 });
		await echoed;
	}
	const heard = once(other, 'to-all');
	client.emit('shout');
	await heard;
}

function setup(io: import('socket.io').Server): void {
	io.on('connection', (socket) => {
		socket.onAny((event: string) => {
			if (event === 'shout') socket.broadcast.emit('to-all', 'x');
			else socket.emit(`echo:${event}`, 'ok');
		});
	});
}

async function eventFigures(dashboard: ClientSocket, id: string): Promise<Record<string, Omit<EventFigures, 'name'>>> {
	const details = await ask<SocketDetails>(dashboard, 'socket:details', { namespace: '/', id });
	return Object.fromEntries(details.events.map(({ name, ...figures }) => [name, figures]));
}

describe('event names', () => {
	test('are read from the wire exactly, whatever characters they hold, with bytes per name', async () => {
		f = await startFixture({}, {}, setup);
		const { socket: dashboard } = await f.dashboard();
		const [a, b] = [await f.client(), await f.client()];
		await traffic(a, b);
		await expect
			.poll(async () => {
				const events = await eventFigures(dashboard, a.id!);
				return Object.fromEntries(Object.entries(events).map(([name, e]) => [name, [e.in, e.out]]));
			})
			.toEqual({
				'say "hi"': [1, 0],
				'echo:say "hi"': [0, 1],
				'back\\slash': [1, 0],
				'echo:back\\slash': [0, 1],
				plain: [2, 0],
				'echo:plain': [0, 2],
				'héllo ✓': [1, 0],
				'echo:héllo ✓': [0, 1],
				'a,b]': [1, 0],
				'echo:a,b]': [0, 1],
				shout: [1, 0],
				'to-all': [0, 1]
			});
		const events = await eventFigures(dashboard, a.id!);
		// `1,"two",{"three":3}` after the name: an event's bytes are its whole encoded packet.
		expect(events['héllo ✓'].bytesIn).toBe(Buffer.byteLength('2["héllo ✓",1,"two",{"three":3}]'));
		expect(events['echo:plain'].bytesOut).toBe(2 * Buffer.byteLength('2["echo:plain","ok"]'));
	});

	test('with a custom parser, are counted by socket.io\'s hooks instead, and bytes per socket still add up', async () => {
		f = await startFixture({}, { parser: objectParser }, setup);
		const { socket: dashboard } = await f.dashboard({}, { parser: objectParser });
		const a = await f.client('/', { parser: objectParser });
		const b = await f.client('/', { parser: objectParser });
		let sent = 0;
		a.io.engine.on('packetCreate', (p) => {
			if (p.type === 'message') sent += Buffer.byteLength(p.data as string);
		});
		await traffic(a, b);
		await expect
			.poll(async () => {
				const events = await eventFigures(dashboard, a.id!);
				return [events.plain?.in, events['echo:plain']?.out, events['to-all']?.out];
			})
			.toEqual([2, 2, 1]);
		const details = await ask<SocketDetails>(dashboard, 'socket:details', { namespace: '/', id: a.id });
		expect(details.eventsIn).toBe(NAMES.length + 1);
		expect(details.bytesIn).toBe(sent);
	});
});
