/** Wire bytes counted by the agent equal what the client's engine sent and received. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import { namespaceOf } from '../../../../server/agent/observe/wire-format.js';
import type { NamespacesPage, Page, SocketRow } from '../../../../server/protocol/models.js';
import { ask, once, startFixture, type Fixture } from '../../../support/agent-fixture.js';

/** Counts the bytes of every socket.io packet a client's engine writes and reads. */
function meter(client: ClientSocket) {
	const size = (data: unknown) =>
		typeof data === 'string' ? Buffer.byteLength(data) : (data as ArrayBuffer).byteLength;
	const m = { sent: 0, received: 0 };
	client.io.engine.on('packetCreate', (p) => {
		if (p.type === 'message') m.sent += size(p.data);
	});
	client.io.engine.on('packet', (p) => {
		if (p.type === 'message') m.received += size(p.data);
	});
	return m;
}

describe('byte counting', () => {
	let f: Fixture;
	let dashboard: ClientSocket;

	beforeAll(async () => {
		f = await startFixture({}, {}, (io) => {
			io.of('/bytes').on('connection', (socket) => {
				socket.on('text', (value: string) => socket.emit('text', value));
				socket.on('blob', (value: Buffer, ack: (n: number) => void) => ack(value.length));
				socket.on('relay', (value: unknown) => socket.broadcast.emit('relay', value));
			});
		});
		({ socket: dashboard } = await f.dashboard());
	});
	afterAll(() => f?.close());

	test('bytes in and out per namespace and per socket match the clients\' engines', async () => {
		const a = await f.client('/bytes');
		const b = await f.client('/bytes', { transports: ['polling'] });
		const ma = meter(a);
		const mb = meter(b);
		const before = (await ask<NamespacesPage>(dashboard, 'namespaces:query')).rows.find((n) => n.name === '/bytes')!;

		// Text with multi-byte characters, binary attachments with an acknowledgement, and a broadcast.
		const echoed = once(a, 'text');
		a.emit('text', 'héllo wörld ✓ 🚀'.repeat(20));
		await echoed;
		expect(await a.emitWithAck('blob', Buffer.alloc(3000, 7))).toBe(3000);
		const relayed = once(b, 'relay');
		a.emit('relay', { n: 1, s: 'x'.repeat(500) });
		await relayed;
		const relayedBack = once(a, 'relay');
		b.emit('relay', [1, 2, 3]);
		await relayedBack;

		await expect
			.poll(async () => {
				const after = (await ask<NamespacesPage>(dashboard, 'namespaces:query')).rows.find((n) => n.name === '/bytes')!;
				return { in: after.bytesIn - before.bytesIn, out: after.bytesOut - before.bytesOut };
			})
			.toEqual({ in: ma.sent + mb.sent, out: ma.received + mb.received });

		const rows = (await ask<Page<SocketRow>>(dashboard, 'sockets:query', { namespace: '/bytes' })).rows;
		const row = rows.find((r) => r.id === a.id)!;
		// Per socket: events only (the acknowledgement is counted for the namespace, not the event).
		expect(row.eventsIn).toBe(3);
		expect(row.bytesIn).toBeGreaterThan(3000);
		expect(rows.find((r) => r.id === b.id)!.transport).toBe('polling');
	});

	test('reads the namespace of encoded packets', () => {
		expect(namespaceOf('2["x"]')).toBe('/');
		expect(namespaceOf('2/chat,["x"]')).toBe('/chat');
		expect(namespaceOf('51-/chat,["x",{"_placeholder":true,"num":0}]')).toBe('/chat');
		expect(namespaceOf('63-/a,1[]')).toBe('/a');
		expect(namespaceOf('4/t,{"message":"no"}')).toBe('/t');
		expect(namespaceOf('1/t')).toBe('/t');
	});
});
