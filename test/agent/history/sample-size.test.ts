/** A sample's size does not grow with the number of sockets, rooms or event names. */
import { afterAll, describe, expect, test } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import type { Sample } from '../../../server/protocol/models.js';
import { nextSample, startFixture, type Fixture } from '../../support/agent-fixture.js';

const LIMIT = 4096;

describe('sample size', () => {
	let f: Fixture;
	afterAll(() => f?.close());

	async function sampleBytes(dashboard: ClientSocket, sockets: number): Promise<number> {
		const sample: Sample = await nextSample(
			dashboard,
			(s) => s.namespaces.reduce((n, ns) => n + ns.sockets, 0) === sockets && s.namespaces[0].eventsIn > 0
		);
		return Buffer.byteLength(JSON.stringify(sample));
	}

	test('stays under 4 KB with 10 sockets and with 5,000 sockets in 1,000 rooms', async () => {
		f = await startFixture({}, {}, (io) => {
			io.on('connection', (socket) => {
				// Long room names and many event names: the sample must truncate and cap both.
				socket.join(`room-${String(socket.handshake.auth.room).padStart(4, '0')}-${'r'.repeat(200)}`);
				socket.onAny(() => {});
			});
		});
		const { socket: dashboard } = await f.dashboard();
		const clients: ClientSocket[] = [];
		const connect = async (count: number) => {
			for (let i = 0; i < count; i += 250) {
				const batch = Array.from({ length: Math.min(250, count - i) }, (_, j) =>
					f.client('/', { auth: { room: (clients.length + j) % 1000 } })
				);
				clients.push(...(await Promise.all(batch)));
			}
		};
		const chatter = setInterval(() => {
			if (clients.length === 0) return;
			for (let i = 0; i < 300; i++) clients[i % clients.length].emit(`event-${i}-${'e'.repeat(100)}`, i);
		}, 50);
		try {
			await connect(10);
			const small = await sampleBytes(dashboard, 10);
			await connect(4990);
			const large = await sampleBytes(dashboard, 5000);
			console.log(`sample size: ${small} bytes with 10 sockets, ${large} bytes with 5,000 sockets in 1,000 rooms`);
			expect(small).toBeLessThan(LIMIT);
			expect(large).toBeLessThan(LIMIT);
		} finally {
			clearInterval(chatter);
		}
	}, 120_000);
});
