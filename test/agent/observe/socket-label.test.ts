/**
 * The `label` option: the host names each socket (a user, a device), and the dashboard shows the
 * name in the sockets list and the details and finds sockets by it, since `socket.data` stays
 * redacted.
 */
import { afterEach, expect, test } from 'vitest';
import type { Page, SocketDetails, SocketRow } from '../../../server/protocol/models.js';
import { ask, startFixture, type Fixture } from '../../support/agent-fixture.js';

let f: Fixture | undefined;

afterEach(async () => {
	await f?.close();
	f = undefined;
});

/** A server whose sockets carry the user's name in `socket.data`, set by middleware. */
function named(label: (socket: { data: { name?: string } }) => string) {
	return startFixture({ label }, {}, (io) => {
		io.use((socket, next) => {
			socket.data.name = (socket.handshake.auth as { name?: string }).name;
			next();
		});
	});
}

test('each socket row and its details carry the label, and the search finds sockets by it', async () => {
	f = await named((socket) => `user ${socket.data.name}`);
	const { socket: dashboard } = await f.dashboard();
	const alice = await f.client('/', { auth: { name: 'Alice' } });
	await f.client('/', { auth: { name: 'Bob' } });

	const all = await ask<Page<SocketRow>>(dashboard, 'sockets:query', { sort: 'connectedAt' });
	expect(all.rows.map((row) => row.label).sort()).toEqual(['user Alice', 'user Bob']);
	const found = await ask<Page<SocketRow>>(dashboard, 'sockets:query', { text: 'alice' });
	expect(found.rows.map((row) => row.id)).toEqual([alice.id]);
	const details = await ask<SocketDetails>(dashboard, 'socket:details', {
		namespace: '/',
		id: alice.id
	});
	expect(details.label).toBe('user Alice');
	// The data itself stays redacted.
	expect(details.data).toEqual({ name: '[redacted]' });
});

test('a long label is cut to 64 characters, and a label that throws shows none', async () => {
	f = await named((socket) => {
		if (socket.data.name === 'boom') throw new Error('no label');
		return 'x'.repeat(500);
	});
	const { socket: dashboard } = await f.dashboard();
	const long = await f.client('/', { auth: { name: 'long' } });
	const boom = await f.client('/', { auth: { name: 'boom' } });
	const page = await ask<Page<SocketRow>>(dashboard, 'sockets:query', {});
	const byId = new Map(page.rows.map((row) => [row.id, row.label]));
	expect(byId.get(long.id!)).toBe('x'.repeat(64));
	expect(byId.get(boom.id!)).toBeNull();
	expect(f.agent.inspect().faults).toBe(1);
});

test('without the option, rows have no label', async () => {
	f = await startFixture();
	const { socket: dashboard } = await f.dashboard();
	await f.client('/');
	const page = await ask<Page<SocketRow>>(dashboard, 'sockets:query', {});
	expect(page.rows[0].label).toBeNull();
});
