/**
 * A sample sent to a dashboard keeps, of its namespaces' top rooms, only the ones the Overview can
 * list: the `OVERVIEW_TOP_ROOMS` largest over every namespace in view.
 */
import { afterAll, expect, test } from 'vitest';
import type { Sample } from '../../../server/protocol/models.js';
import { OVERVIEW_TOP_ROOMS } from '../../../server/protocol/limits.js';
import { nextSample, startFixture, type Fixture } from '../../support/agent-fixture.js';

let f: Fixture;
afterAll(() => f?.close());

test("the Overview's rooms, and no more, over three namespaces", async () => {
	const namespaces = { '/a': 7, '/b': 5, '/c': 3 };
	f = await startFixture({}, {}, (io) => {
		for (const name of Object.keys(namespaces))
			io.of(name).on('connection', (socket) => socket.join(socket.handshake.auth.rooms));
	});
	const { socket: dashboard } = await f.dashboard();
	// In each namespace, client k joins rooms 1 to 5 - k (room 1 at least): room 1 holds every
	// client, room r > 1 at most 6 - r, so each namespace's top five are all its rooms.
	for (const [name, clients] of Object.entries(namespaces)) {
		for (let k = 0; k < clients; k++) {
			const rooms = Array.from({ length: Math.max(1, 5 - k) }, (_, i) => `${name}-room-${i + 1}`);
			await f.client(name, { auth: { rooms } });
		}
	}
	const sample: Sample = await nextSample(
		dashboard,
		(s) => s.namespaces.reduce((n, ns) => n + ns.sockets, 0) === 15
	);
	const sizes = sample.namespaces.flatMap((ns) => ns.topRooms.map((r) => r.size));
	expect(sizes).toHaveLength(OVERVIEW_TOP_ROOMS);
	// Every room's size, largest first: the sample's are the first eight of them.
	const all = Object.values(namespaces)
		.flatMap((clients) =>
			[1, 2, 3, 4, 5].map((room) => (room === 1 ? clients : Math.min(clients, 6 - room)))
		)
		.sort((a, b) => b - a);
	expect(sizes.sort((a, b) => b - a)).toEqual(all.slice(0, OVERVIEW_TOP_ROOMS));
});
