import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Server } from 'socket.io';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrument } from '../../../server/agent/index.js';
import type { AuditEntry } from '../../../server/protocol/commands.js';
import { KICK_EVENT } from '../../../server/protocol/commands.js';
import type { Page } from '../../../server/protocol/models.js';
import { ask, startFixture, type Fixture } from '../../support/agent-fixture.js';
import { closeDashboards, collect, login, outcome, user } from '../../support/dashboard-client.js';

const users = [user('alice', 'admin'), user('rita', 'readonly'), user('tom', 'admin', ['/chat'])];
let fx: Fixture | undefined;
let dir: string;

beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'sockscope-audit-'));
});
afterEach(async () => {
	closeDashboards();
	await fx?.close();
	fx = undefined;
	rmSync(dir, { recursive: true, force: true });
});

const trail = (dash: ClientSocket, query: Record<string, unknown> = {}) =>
	ask<Page<AuditEntry>>(dash, 'audit:query', query);
const chat = (io: Server) => io.of('/chat');
const emitTo = (namespace: string, event: string) => ({ namespace, event, args: [] });

describe('audit trail', () => {
	it('records each command: who, from where, what, on what, how it ended, how many sockets, which node', async () => {
		fx = await startFixture({ auth: { users }, nodeId: 'n1' }, {}, chat);
		const alice = (await login(fx, { user: 'alice', password: 'alice-pw' })).socket;
		const rita = (await login(fx, { user: 'rita', password: 'rita-pw' })).socket;
		const client = await fx.client('/chat');
		await ask(alice, 'socket:join', { namespace: '/chat', id: client.id, room: 'lobby' });
		await outcome(rita, 'socket:leave', { namespace: '/chat', id: client.id, room: 'lobby' });
		await outcome(alice, 'socket:join', { namespace: '/chat', id: client.id, room: 7 });
		await outcome(alice, 'socket:join', { namespace: '/chat', id: 'ghost', room: 'lobby' });
		const { rows, total } = await trail(rita);
		expect(total).toBe(4);
		const admin = { name: 'alice', role: 'admin' };
		const readonly = { name: 'rita', role: 'readonly' };
		const expected: [object, string, string, string, string | undefined, number][] = [
			[admin, 'socket:join', 'socket ghost join lobby', 'failed', 'E_NOT_FOUND', 0],
			[admin, 'socket:join', client.id!, 'invalid', 'E_VALIDATION', 0],
			[readonly, 'socket:leave', `socket ${client.id} leave lobby`, 'refused', 'E_FORBIDDEN', 0],
			[admin, 'socket:join', `socket ${client.id} join lobby`, 'ok', undefined, 1]
		];
		expect(rows).toEqual(
			expected.map(([principal, command, target, outcome, code, affected]) => ({
				id: expect.any(String),
				t: expect.any(Number),
				nodeId: 'n1',
				namespace: '/chat',
				address: expect.stringMatching(/127\.0\.0\.1/),
				principal,
				command,
				target,
				outcome,
				...(code ? { code } : {}),
				affected
			}))
		);
	});

	it('records the reason an operator gave for a kick, as the client was told it', async () => {
		fx = await startFixture({}, {}, chat);
		const dash = (await fx.dashboard()).socket;
		const [one, two] = await Promise.all([fx.client('/chat'), fx.client('/chat')]);
		fx.io.of('/chat').in(two.id!).socketsJoin('noisy');
		await ask(dash, 'socket:disconnect', { namespace: '/chat', id: one.id, reason: ' spamming ' });
		await ask(dash, 'room:disconnect', { namespace: '/chat', room: 'noisy', reason: 'closing' });
		await ask(dash, 'socket:join', { namespace: '/chat', id: 'ghost', room: 'r' }).catch(() => {});
		const { rows } = await trail(dash);
		expect(rows.map((e) => [e.command, e.reason])).toEqual([
			['socket:join', undefined],
			['room:disconnect', 'closing'],
			['socket:disconnect', 'spamming']
		]);
	});

	it('keeps the labels of the sockets a command aimed at, after they are gone', async () => {
		const label = (socket: { handshake: { auth: { name?: string } } }) =>
			socket.handshake.auth.name ?? '';
		fx = await startFixture({ label }, {}, chat);
		const dash = (await fx.dashboard()).socket;
		const carol = await fx.client('/chat', { auth: { name: 'carol' } });
		const [dave, erin, anonymous] = await Promise.all([
			fx.client('/chat', { auth: { name: 'dave' } }),
			fx.client('/chat', { auth: { name: 'erin' } }),
			fx.client('/chat')
		]);
		for (const client of [dave, erin, anonymous])
			fx.io.of('/chat').in(client.id!).socketsJoin('noisy');
		// To everyone there: no socket in particular, so no label.
		await ask(dash, 'emit:send', emitTo('/chat', 'everyone'));
		await ask(dash, 'socket:disconnect', { namespace: '/chat', id: carol.id, reason: 'spam' });
		await ask(dash, 'room:disconnect', { namespace: '/chat', room: 'noisy' });
		await expect.poll(() => fx!.io.of('/chat').sockets.size).toBe(0);
		const { rows } = await trail(dash);
		expect(rows.map((e) => [e.command, e.labels && [...e.labels].sort()])).toEqual([
			['room:disconnect', ['dave', 'erin']],
			['socket:disconnect', ['carol']],
			['emit:send', undefined]
		]);
	});

	it('delivers the entry live before the acknowledgement', async () => {
		fx = await startFixture({}, {}, chat);
		const { socket: dash } = await fx.dashboard();
		const live = collect<AuditEntry>(dash, 'audit:entry');
		await ask(dash, 'emit:send', emitTo('/chat', 'first'));
		expect(live.map((e) => e.target)).toEqual(['namespace event first']);
		await outcome(dash, 'emit:send', emitTo('/chat', 'disconnect'));
		expect(live.map((e) => e.outcome)).toEqual(['ok', 'invalid']);
	});

	it('audits a command sent without an acknowledgement as invalid, and does not run it', async () => {
		fx = await startFixture({}, {}, chat);
		const { socket: dash } = await fx.dashboard();
		const client = await fx.client('/chat');
		const kicked = collect(client, KICK_EVENT);
		dash.emit('socket:disconnect', { namespace: '/chat', id: client.id });
		await expect
			.poll(async () => (await trail(dash)).rows[0])
			.toMatchObject({
				command: 'socket:disconnect',
				outcome: 'invalid',
				code: 'E_VALIDATION',
				target: client.id
			});
		const barrier = new Promise((resolve) => client.once('barrier', resolve));
		fx.io.of('/chat').emit('barrier');
		await barrier;
		expect(kicked).toEqual([]);
		expect(client.connected).toBe(true);
	});

	it('keeps the newest entries in a bounded ring, paged newest first with a keyset cursor', async () => {
		fx = await startFixture({ audit: { memory: 10 } }, {}, chat);
		const { socket: dash } = await fx.dashboard();
		for (let i = 0; i < 14; i++) await ask(dash, 'emit:send', emitTo('/chat', `e${i}`));
		const first = await trail(dash, { limit: 4 });
		expect(first.total).toBe(10);
		expect(first.rows.map((e) => e.target)).toEqual(
			['e13', 'e12', 'e11', 'e10'].map((e) => `namespace event ${e}`)
		);
		// An entry written between pages does not shift the next page.
		await ask(dash, 'emit:send', emitTo('/chat', 'late'));
		const seen = [...first.rows];
		let cursor = first.nextCursor;
		while (cursor) {
			const page = await trail(dash, { limit: 4, cursor });
			seen.push(...page.rows);
			cursor = page.nextCursor;
		}
		expect(seen.map((e) => e.target.replace('namespace event ', ''))).toEqual([
			'e13',
			'e12',
			'e11',
			'e10',
			'e9',
			'e8',
			'e7',
			'e6',
			'e5'
		]);
	});

	it('refuses a cursor it did not issue and a malformed query', async () => {
		fx = await startFixture();
		const { socket: dash } = await fx.dashboard();
		for (const query of [
			{ cursor: 'nope' },
			{ cursor: '1-1' },
			{ limit: 0 },
			{ limit: 10_000 },
			{ page: 2 }
		]) {
			expect(await outcome(dash, 'audit:query', query)).toBe('E_VALIDATION');
		}
	});
});

describe('SQLite audit store', () => {
	it('keeps the trail across a restart, for every principal its own part', async () => {
		const file = join(dir, 'audit.db');
		const options = { auth: { users }, audit: { sqlite: file }, nodeId: 'first' };
		fx = await startFixture(options, {}, chat);
		const alice = (await login(fx, { user: 'alice', password: 'alice-pw' })).socket;
		await ask(alice, 'emit:send', emitTo('/chat', 'before'));
		await ask(alice, 'emit:send', emitTo('/', 'root'));
		await outcome(alice, 'emit:send', emitTo('/nope', 'x'));
		const before = await trail(alice);
		closeDashboards();
		await fx.close();

		fx = await startFixture({ ...options, nodeId: 'second' }, {}, chat);
		const again = (await login(fx, { user: 'alice', password: 'alice-pw' })).socket;
		expect(await trail(again)).toEqual(before);
		await ask(again, 'emit:send', emitTo('/chat', 'after'));
		const after = await trail(again);
		expect(after.total).toBe(4);
		expect(after.rows.map((e) => [e.target, e.nodeId])).toEqual([
			['namespace event after', 'second'],
			['namespace event x', 'first'],
			['namespace event root', 'first'],
			['namespace event before', 'first']
		]);
		expect(Number(after.rows[0].id)).toBeGreaterThan(Number(before.rows[0].id));

		const tom = (await login(fx, { user: 'tom', password: 'tom-pw' })).socket;
		const scoped = await trail(tom, { limit: 1 });
		expect(scoped.total).toBe(2);
		expect(scoped.rows.map((e) => e.target)).toEqual(['namespace event after']);
		const rest = await trail(tom, { limit: 1, cursor: scoped.nextCursor });
		expect(rest.rows.map((e) => e.target)).toEqual(['namespace event before']);
		expect(rest.nextCursor).toBeNull();
	});

	it('reads a file written before refusals were kept apart, and trims it by kind', async () => {
		const file = join(dir, 'old.db');
		const old = new Database(file);
		old.exec(
			'CREATE TABLE sockscope_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, t INTEGER NOT NULL, namespace TEXT, entry TEXT NOT NULL)'
		);
		const entry = {
			t: 1,
			principal: { name: 'alice', role: 'admin' },
			address: '127.0.0.1',
			command: 'emit:send',
			namespace: '/chat',
			target: 'namespace event old',
			outcome: 'ok',
			affected: 0,
			nodeId: 'old'
		};
		old
			.prepare('INSERT INTO sockscope_audit (t, namespace, entry) VALUES (1, ?, ?)')
			.run('/chat', JSON.stringify(entry));
		old.close();
		const audit = { sqlite: file, durable: 10, refusals: 10 };
		fx = await startFixture({ auth: { users }, audit }, {}, chat);
		const alice = (await login(fx, { user: 'alice', password: 'alice-pw' })).socket;
		const rita = (await login(fx, { user: 'rita', password: 'rita-pw' })).socket;
		for (let i = 0; i < 30; i++) await outcome(rita, 'emit:send', emitTo('/chat', 'junk'));
		const page = await trail(alice, { limit: 100 });
		expect(page.rows.filter((e) => e.outcome === 'refused')).toHaveLength(10);
		expect(page.rows.filter((e) => e.outcome === 'ok').map((e) => e.target)).toEqual([
			'namespace event old'
		]);
	});

	it('fails at instrument() time, naming the option, when the file cannot be opened', () => {
		const io = new Server();
		expect(() =>
			instrument(io, { auth: false, audit: { sqlite: join(dir, 'missing', 'audit.db') } })
		).toThrow(/option "audit.sqlite": cannot open/);
		// Nothing was attached to the host before the store failed.
		expect([...io._nsps.keys()]).toEqual(['/']);
		expect(() =>
			instrument(io, { auth: false, audit: { sqlite: join(dir, 'a.db'), redis: {} } })
		).toThrow(/give either "sqlite" or "redis"/);
	});
});
