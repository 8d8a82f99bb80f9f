/**
 * Live windows on the sockets list: a dashboard watches some rows and is sent what changes in
 * them (rows in and out, changed figures), at most once per sample interval, nothing otherwise.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import type { SocketRow } from '../../../server/protocol/models.js';
import { rowId } from '../../../server/protocol/paging.js';
import { MAX_WINDOW, type WindowUpdate } from '../../../server/protocol/windows.js';
import { SOCKET_SORT_KEYS } from '../../../server/protocol/vocabulary.js';
import { countReads, READ_ONCE_QUERY } from '../../support/socket-reads.js';
import { SCAN_CHUNK } from '../../../server/agent/serve/queries.js';
import { ask, startFixture, type Fixture } from '../../support/agent-fixture.js';

let f: Fixture | undefined;
afterEach(async () => {
	await f?.close();
	f = undefined;
});

/** What a dashboard holds of its window, kept up to date from the updates, as the page does. */
function follow(dashboard: ClientSocket) {
	const state = {
		rows: new Map<string, SocketRow>(),
		total: 0,
		before: 0,
		updates: [] as WindowUpdate[]
	};
	dashboard.on('sockets:window', (u: WindowUpdate) => {
		state.updates.push(u);
		if (u.reset) state.rows.clear();
		for (const id of u.gone) state.rows.delete(id);
		// Full rows, or slim ones for a slim window (whose test reads only what they carry).
		for (const row of u.rows as SocketRow[]) state.rows.set(rowId(row.namespace, row.id), row);
		for (const [id, rtt, eventsIn, eventsOut, bytesIn, bytesOut] of u.figures) {
			const row = state.rows.get(id)!;
			state.rows.set(id, { ...row, rtt, eventsIn, eventsOut, bytesIn, bytesOut });
		}
		state.total = u.total;
		state.before = u.before;
	});
	return state;
}

describe('live windows', () => {
	test('sends the watched rows, then only their changes, and nothing when nothing changed', async () => {
		f = await startFixture({ sampleInterval: 100 }, {}, (io) => {
			io.on('connection', (socket) => socket.on('note', () => undefined));
		});
		const clients: ClientSocket[] = [];
		for (let i = 0; i < 30; i++) clients.push(await f.client('/'));
		const { socket: dashboard } = await f.dashboard();
		const seen = follow(dashboard);
		const ids = clients.map((c) => c.id!).sort();

		// The window after the 10th socket by id: rows 11 to 20.
		const after = [ids[9], `/#${ids[9]}`];
		await ask(dashboard, 'sockets:watch', { watch: 1, query: { sort: 'id' }, after, limit: 10 });
		await expect
			.poll(() => [...seen.rows.values()].map((r) => r.id).sort())
			.toEqual(ids.slice(10, 20));
		expect([seen.total, seen.before]).toEqual([30, 10]);

		// A socket in the window sends events: its figures change, and only its.
		const busy = clients.find((c) => c.id === ids[12])!;
		const updates = seen.updates.length;
		busy.emit('note');
		busy.emit('note');
		await expect.poll(() => seen.rows.get(`/#${ids[12]}`)?.eventsIn).toBe(2);
		const changed = seen.updates.slice(updates);
		expect(changed.flatMap((u) => u.figures.map((c) => c[0]))).toEqual([`/#${ids[12]}`]);
		expect(changed.flatMap((u) => u.rows)).toEqual([]);

		// Traffic outside the window sends nothing.
		const quiet = seen.updates.length;
		const outside = clients.find((c) => c.id === ids[25])!;
		outside.emit('note');
		const marker = clients.find((c) => c.id === ids[15])!;
		marker.emit('note');
		await expect.poll(() => seen.rows.get(`/#${ids[15]}`)?.eventsIn).toBe(1);
		expect(seen.updates.slice(quiet).flatMap((u) => u.figures.map((c) => c[0]))).toEqual([
			`/#${ids[15]}`
		]);

		// A socket that leaves the window is gone, and the next one moves in.
		clients.find((c) => c.id === ids[11])!.disconnect();
		await expect
			.poll(() => [...seen.rows.values()].map((r) => r.id).sort())
			.toEqual([...ids.slice(10, 11), ...ids.slice(12, 21)]);
		expect(seen.total).toBe(29);

		// Ten intervals of silence: nothing sent.
		const silent = seen.updates.length;
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(seen.updates.length).toBe(silent);

		// inspect() counts the windows held, and none once unwatched.
		expect(f.agent.inspect().liveWindows).toBe(1);
		await ask(dashboard, 'sockets:unwatch');
		expect(f.agent.inspect().liveWindows).toBe(0);
	});

	test('reads the whole socket list only when a socket came or went, once for windows alike', async () => {
		f = await startFixture({ sampleInterval: 100 }, {}, (io) => {
			io.on('connection', (socket) => socket.on('note', () => undefined));
		});
		const clients: ClientSocket[] = [];
		for (let i = 0; i < 20; i++) clients.push(await f.client('/'));
		// Reads of the socket that sorts last by id, which never enters the windows: one per walk
		// over the namespace's sockets, whatever the agent walks them for.
		const last = [...f.io.of('/').sockets.values()].sort((x, y) => (x.id < y.id ? 1 : -1))[0];
		const walks = countReads(last);
		const a = await f.dashboard();
		const b = await f.dashboard();
		const seenA = follow(a.socket);
		const seenB = follow(b.socket);
		const window = { query: READ_ONCE_QUERY, limit: 10 };
		await ask(a.socket, 'sockets:watch', { watch: 1, ...window });
		await ask(b.socket, 'sockets:watch', { watch: 1, ...window });
		await expect.poll(() => [seenA.total, seenB.total]).toEqual([20, 20]);
		const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

		// Ten intervals in which nothing changed: no walk at all.
		await sleep(300);
		const quiet = walks();
		await sleep(1000);
		expect(walks() - quiet).toBe(0);

		// Only a figure changed: the rows held are re-read, and the change is sent.
		// The socket first by id, inside both windows.
		const first = clients.reduce((a, c) => (c.id! < a.id! ? c : a));
		first.emit('note');
		await expect.poll(() => seenA.rows.get(`/#${first.id}`)?.eventsIn).toBe(1);
		await expect.poll(() => seenB.rows.get(`/#${first.id}`)?.eventsIn).toBe(1);
		await sleep(300);
		expect(walks() - quiet).toBe(0);

		// A socket came: one walk, shared by both windows.
		clients.push(await f.client('/'));
		await expect.poll(() => [seenA.total, seenB.total]).toEqual([21, 21]);
		await sleep(300);
		expect(walks() - quiet).toBe(1);
	});

	test('reads a large namespace a few hundred sockets per turn, letting the host run between', async () => {
		f = await startFixture();
		const count = 3 * SCAN_CHUNK;
		for (let i = 0; i < count; i += 100) {
			await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => f!.client('/')));
		}
		// The host's turns of the event loop: an immediate that sets itself again runs once in each.
		let turn = 0;
		let spinning = true;
		const spin = () => {
			turn++;
			if (spinning) setImmediate(spin);
		};
		// The sockets the agent reads in each turn.
		const perTurn = new Map<number, number>();
		for (const socket of f.io.of('/').sockets.values())
			countReads(socket, () => perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1));
		const { socket: dashboard } = await f.dashboard();
		const seen = follow(dashboard);
		setImmediate(spin);
		await ask(dashboard, 'sockets:watch', { watch: 1, query: READ_ONCE_QUERY, limit: 20 });
		await expect.poll(() => seen.total).toBe(count);
		spinning = false;
		expect(seen.rows.size).toBe(20);
		expect(perTurn.size).toBeGreaterThanOrEqual(3);
		expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(SCAN_CHUNK);
	});

	test('finds the key of a row by its index, so a window can open anywhere', async () => {
		f = await startFixture();
		const clients: ClientSocket[] = [];
		for (let i = 0; i < 12; i++) clients.push(await f.client('/'));
		const { socket: dashboard } = await f.dashboard();
		const ids = clients
			.map((c) => c.id!)
			.sort()
			.reverse();
		const query = { sort: 'id', order: 'desc' };
		expect(await ask(dashboard, 'sockets:seek', { query, offset: 0 })).toBeNull();
		expect(await ask(dashboard, 'sockets:seek', { query, offset: 5 })).toEqual([
			ids[4],
			`/#${ids[4]}`
		]);
		const seen = follow(dashboard);
		await ask(dashboard, 'sockets:watch', {
			watch: 7,
			query,
			after: [ids[4], `/#${ids[4]}`],
			limit: 3
		});
		await expect.poll(() => [...seen.rows.values()].map((r) => r.id)).toEqual(ids.slice(5, 8));
		expect(seen.updates[0]).toMatchObject({ watch: 7, reset: true, before: 5, total: 12 });
	});

	test('a seek past the end answers at once with the last row; near the end, with its row', async () => {
		f = await startFixture();
		const clients: ClientSocket[] = [];
		for (let i = 0; i < 12; i++) clients.push(await f.client('/'));
		const { socket: dashboard } = await f.dashboard();
		const ids = clients.map((c) => c.id!).sort();
		const key = (id: string) => [id, `/#${id}`];
		const seek = (query: object, offset: number) =>
			ask(dashboard, 'sockets:seek', { query, offset });
		const query = { sort: 'id' };
		// Past the end, as far as the schema allows: the last row, as at the end exactly.
		expect(await seek(query, 10_000_000)).toEqual(key(ids[11]));
		expect(await seek(query, 12)).toEqual(key(ids[11]));
		// Nearer the end than the start (counted from the end) and nearer the start: the same rows.
		for (const offset of [1, 5, 6, 7, 11])
			expect(await seek(query, offset)).toEqual(key(ids[offset - 1]));
		expect(await seek({ sort: 'id', order: 'desc' }, 10_000_000)).toEqual(key(ids[0]));
		// With a filter the count is known only once read: past the end, its last matching row.
		expect(await seek({ sort: 'id', text: ids[3] }, 10_000_000)).toEqual(key(ids[3]));
		expect(await seek({ sort: 'id', text: 'no such text' }, 10_000_000)).toBeNull();
		expect(await seek({ sort: 'id', namespace: '/nowhere' }, 3)).toBeNull();
	});

	test('refuses a malformed window or seek with a validation error that says what is allowed', async () => {
		f = await startFixture();
		const { socket: dashboard } = await f.dashboard();
		await expect(
			ask(dashboard, 'sockets:watch', { watch: 1, query: {}, limit: 100_000 })
		).rejects.toMatchObject({
			code: 'E_VALIDATION',
			message: `limit: must be at most ${MAX_WINDOW}`
		});
		await expect(
			ask(dashboard, 'sockets:watch', { watch: 1, query: { sort: 'nope' }, limit: 5 })
		).rejects.toMatchObject({
			code: 'E_VALIDATION',
			message: `query.sort: must be one of ${SOCKET_SORT_KEYS.map((k) => `"${k}"`).join(', ')}; got "nope"`
		});
		await expect(
			ask(dashboard, 'sockets:watch', { watch: 1, query: { srot: 'id' }, limit: 5 })
		).rejects.toMatchObject({
			code: 'E_VALIDATION',
			message: 'query: unknown field "srot" — did you mean "sort"?'
		});
		await expect(ask(dashboard, 'sockets:seek', { query: {}, offset: -1 })).rejects.toMatchObject({
			code: 'E_VALIDATION'
		});
	});

	test('a slim window on a room sends its members with their labels, and not their traffic', async () => {
		f = await startFixture(
			{ sampleInterval: 100, label: (socket) => `user ${socket.handshake.auth.name}` },
			{},
			(io) => {
				io.on('connection', (socket) => {
					socket.on('note', (ack?: () => void) => ack?.());
					if (socket.handshake.auth.room) socket.join(String(socket.handshake.auth.room));
				});
			}
		);
		const members: ClientSocket[] = [];
		for (let i = 0; i < 6; i++)
			members.push(await f.client('/', { auth: { name: `m${i}`, room: 'help' } }));
		await f.client('/', { auth: { name: 'outsider' } });
		const { socket: dashboard } = await f.dashboard();
		const seen = follow(dashboard);
		await ask(dashboard, 'sockets:watch', {
			watch: 1,
			query: { namespace: '/', room: 'help' },
			limit: 10,
			slim: true
		});
		await expect.poll(() => seen.rows.size).toBe(6);
		expect(seen.total).toBe(6);
		const first = members[0].id!;
		// Only what a member list shows: no rooms, user agent, data keys or traffic figures.
		expect(Object.keys(seen.rows.get(`/#${first}`)!).sort()).toEqual(
			['address', 'connectedAt', 'id', 'label', 'namespace', 'rtt', 'transport'].sort()
		);
		expect([...seen.rows.values()].map((r) => r.label).sort()).toEqual(
			members.map((_, i) => `user m${i}`)
		);

		// A member's traffic sends nothing (counted before the leave); a member who leaves is gone.
		const quiet = seen.updates.length;
		await members[1].emitWithAck('note');
		const leaving = `/#${members[2].id}`;
		members[2].disconnect();
		await expect.poll(() => seen.rows.has(leaving)).toBe(false);
		expect(seen.rows.size).toBe(5);
		expect(seen.updates.slice(quiet).flatMap((u) => u.figures)).toEqual([]);
		expect(seen.total).toBe(5);

		// A slim row has no traffic to sort by.
		await expect(
			ask(dashboard, 'sockets:watch', {
				watch: 2,
				query: { room: 'help', sort: 'eventsIn' },
				limit: 10,
				slim: true
			})
		).rejects.toMatchObject({ code: 'E_VALIDATION' });
	});
});
