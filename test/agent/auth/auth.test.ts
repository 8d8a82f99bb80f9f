import bcrypt from 'bcryptjs';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { UserOptions } from '../../../server/agent/options.js';
import type { AuditEntry } from '../../../server/protocol/commands.js';
import type { Page, Principal } from '../../../server/protocol/models.js';
import { nextSample, startFixture, type Fixture } from '../../support/agent-fixture.js';
import {
	answer,
	closeDashboards,
	login,
	outcome,
	refusal,
	user
} from '../../support/dashboard-client.js';

const secret = 'a-test-secret-of-some-length';
const users = [user('alice', 'admin'), user('rita', 'readonly', ['/chat'])];
let fx: Fixture | undefined;
let other: Fixture | undefined;

afterEach(async () => {
	closeDashboards();
	await fx?.close();
	await other?.close();
	fx = other = undefined;
});

describe('password login', () => {
	it('refuses a dashboard that gives no credentials', async () => {
		fx = await startFixture({ auth: { users } });
		expect(await refusal(fx, {})).toMatchObject({ code: 'E_AUTH_REQUIRED' });
	});

	it('lets a user in with its role and namespaces, and grants a session token', async () => {
		fx = await startFixture({ auth: { users, sessionTtl: 60 } });
		const { snapshot, grant } = await login(fx, { user: 'rita', password: 'rita-pw' });
		expect(snapshot.principal).toEqual({ name: 'rita', role: 'readonly', namespaces: ['/chat'] });
		expect(grant?.token).toMatch(/^[\w-]+\.[\w-]+$/);
		expect(grant!.expiresAt).toBeGreaterThan(Date.now());
		const again = await login(fx, { token: grant!.token });
		expect(again.snapshot.principal).toEqual(snapshot.principal);
	});

	it('refuses a wrong password and an unknown user with the same answer', async () => {
		fx = await startFixture({ auth: { users } });
		const wrong = await refusal(fx, { user: 'alice', password: 'nope' });
		const unknown = await refusal(fx, { user: 'mallory', password: 'nope' });
		expect(wrong).toEqual(unknown);
		expect(wrong.code).toBe('E_AUTH_INVALID');
		expect(await refusal(fx, { user: 'alice', password: 42 })).toMatchObject({
			code: 'E_AUTH_INVALID'
		});
	});

	it('rate-limits failed logins per address, then refuses even the right password', async () => {
		fx = await startFixture({ auth: { users, maxFailedLogins: 3 } });
		for (let i = 0; i < 3; i++) {
			expect((await refusal(fx, { user: 'alice', password: `guess-${i}` })).code).toBe(
				'E_AUTH_INVALID'
			);
		}
		const limited = await refusal(fx, { user: 'alice', password: 'guess-4' });
		expect(limited.code).toBe('E_RATE_LIMITED');
		expect(limited.retryAfter).toBeGreaterThanOrEqual(1);
		expect(limited.retryAfter).toBeLessThanOrEqual(60);
		expect((await refusal(fx, { user: 'alice', password: 'alice-pw' })).code).toBe(
			'E_RATE_LIMITED'
		);
	});

	it('does not count successful logins against the limit', async () => {
		fx = await startFixture({ auth: { users, maxFailedLogins: 2 } });
		for (let i = 0; i < 4; i++) await login(fx, { user: 'alice', password: 'alice-pw' });
		expect((await refusal(fx, { user: 'alice', password: 'x' })).code).toBe('E_AUTH_INVALID');
	});
});

describe('session tokens', () => {
	it('refuses a tampered token', async () => {
		fx = await startFixture({ auth: { users } });
		const { grant } = await login(fx, { user: 'rita', password: 'rita-pw' });
		const [payload, signature] = grant!.token.split('.');
		const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
		const forged = Buffer.from(JSON.stringify({ ...claims, r: 'admin' })).toString('base64url');
		expect(await refusal(fx, { token: `${forged}.${signature}` })).toMatchObject({
			code: 'E_TOKEN_INVALID'
		});
		const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
		expect(await refusal(fx, { token: `${payload}.${flipped}` })).toMatchObject({
			code: 'E_TOKEN_INVALID'
		});
		expect(await refusal(fx, { token: 'garbage' })).toMatchObject({ code: 'E_TOKEN_INVALID' });
		expect(await refusal(fx, { token: { not: 'a string' } })).toMatchObject({
			code: 'E_TOKEN_INVALID'
		});
	});

	it('refuses an expired token', async () => {
		fx = await startFixture({ auth: { users, sessionTtl: 1 } });
		const { grant } = await login(fx, { user: 'alice', password: 'alice-pw' });
		await expect
			.poll(
				async () =>
					(await refusal(fx!, { token: grant!.token }).catch(() => ({ code: 'let in' }))).code,
				{
					timeout: 5000,
					interval: 200
				}
			)
			.toBe('E_TOKEN_EXPIRED');
	});

	it('is accepted by another node with the same secret, unless the user was removed or demoted', async () => {
		fx = await startFixture({ auth: { users, secret } });
		const { grant } = await login(fx, { user: 'alice', password: 'alice-pw' });
		other = await startFixture({ auth: { users, secret } });
		expect((await login(other, { token: grant!.token })).snapshot.principal.name).toBe('alice');
		await other.close();
		other = await startFixture({ auth: { users: [{ ...users[0], role: 'readonly' }], secret } });
		expect(await refusal(other, { token: grant!.token })).toMatchObject({
			code: 'E_TOKEN_INVALID'
		});
		await other.close();
		other = await startFixture({ auth: { users: [users[1]], secret } });
		expect(await refusal(other, { token: grant!.token })).toMatchObject({
			code: 'E_TOKEN_INVALID'
		});
	});

	it('is refused by a node with another secret', async () => {
		fx = await startFixture({ auth: { users } });
		const { grant } = await login(fx, { user: 'alice', password: 'alice-pw' });
		other = await startFixture({ auth: { users } });
		expect(await refusal(other, { token: grant!.token })).toMatchObject({
			code: 'E_TOKEN_INVALID'
		});
	});
});

describe('authorize hook', () => {
	const tenant: Principal = { name: 'tenant', role: 'admin', namespaces: ['/a'] };

	it('is tried first; when it says no, a password login still works', async () => {
		fx = await startFixture({
			auth: {
				users,
				authorize: (handshake) =>
					handshake.auth.ticket === 'ok' ? ({ ...tenant, extra: 1 } as Principal) : null
			}
		});
		expect((await login(fx, { ticket: 'ok' })).snapshot.principal).toEqual(tenant);
		expect(
			(await login(fx, { ticket: 'no', user: 'alice', password: 'alice-pw' })).snapshot.principal
				.name
		).toBe('alice');
		expect((await refusal(fx, { ticket: 'no' })).code).toBe('E_AUTH_REQUIRED');
	});

	it('refuses alone when it says no and there are no users', async () => {
		fx = await startFixture({ auth: { authorize: async () => null } });
		expect((await refusal(fx, {})).code).toBe('E_AUTH_INVALID');
	});

	it('refuses, counts a fault and keeps serving when the hook throws, rejects or returns junk', async () => {
		const hooks = [
			() => {
				throw new Error('hook bug');
			},
			async () => Promise.reject(new Error('hook rejects')),
			() => ({ name: '', role: 'root' }) as unknown as Principal
		];
		for (const authorize of hooks) {
			fx = await startFixture({ auth: { authorize } });
			const client = await fx.client('/');
			expect((await refusal(fx, {})).code).toBe('E_AUTH_INVALID');
			await expect.poll(() => fx!.agent.latestSample()?.faults ?? 0).toBeGreaterThanOrEqual(1);
			expect(client.connected).toBe(true);
			await fx.close();
			fx = undefined;
		}
	});
});

describe('logins from one address', () => {
	const from = (address: string) => ({ 'x-forwarded-for': address });

	it('are limited across every user name, so throw-away names are stopped too; other addresses still log in', async () => {
		fx = await startFixture({ auth: { users, maxFailedLoginsPerAddress: 3, trustProxy: true } });
		for (let i = 0; i < 3; i++) {
			const name = `nobody-${i}`;
			expect((await refusal(fx, { user: name, password: 'x' }, from('10.5.0.1'))).code).toBe(
				'E_AUTH_INVALID'
			);
		}
		expect((await refusal(fx, { user: 'nobody-3', password: 'x' }, from('10.5.0.1'))).code).toBe(
			'E_RATE_LIMITED'
		);
		// Every name from that address, the right password too.
		expect((await refusal(fx, { user: 'alice', password: 'alice-pw' }, from('10.5.0.1'))).code).toBe(
			'E_RATE_LIMITED'
		);
		await login(fx, { user: 'alice', password: 'alice-pw' }, from('10.5.0.2'));
		// IPv6 by its /64: another address of the same /64 is the same client.
		for (let i = 1; i <= 3; i++) {
			const address = `2001:db8:5:5::${i}`;
			expect((await refusal(fx, { user: `n${i}`, password: 'x' }, from(address))).code).toBe(
				'E_AUTH_INVALID'
			);
		}
		expect((await refusal(fx, { user: 'rita', password: 'x' }, from('2001:db8:5:5:a::1'))).code).toBe(
			'E_RATE_LIMITED'
		);
		await login(fx, { user: 'rita', password: 'rita-pw' }, from('2001:db8:5:6::1'));
	});

	it('with unknown names are refused like a wrong password, and take no place in the password queue', async () => {
		// A deployment's cost (10): a compare takes tens of ms, so 150 of them would have waited
		// in the queue of 64 places and some been refused as busy.
		const slow = { ...users[0], name: 'slow', passwordHash: bcrypt.hashSync('slow-pw', 10) };
		fx = await startFixture({ auth: { users: [slow, ...users], trustProxy: true } });
		const flood = Array.from({ length: 150 }, (_, i) =>
			refusal(fx!, { user: `r${Math.random()}`, password: 'x' }, from(`10.6.${i >> 8}.${i & 255}`))
		);
		const wrong = await refusal(fx, { user: 'slow', password: 'wrong' }, from('10.6.9.1'));
		const admin = await login(fx, { user: 'alice', password: 'alice-pw' }, from('10.6.9.2'));
		expect(admin.snapshot.principal.name).toBe('alice');
		const codes = (await Promise.all(flood)).map((r) => r.code);
		expect(new Set(codes)).toEqual(new Set(['E_AUTH_INVALID']));
		expect((await Promise.all(flood))[0]).toEqual(wrong);
	});
});

describe('sessions', () => {
	const carol = user('carol', 'admin');
	const withPassword = (u: UserOptions, password: string) => ({
		...u,
		passwordHash: bcrypt.hashSync(password, 4)
	});
	const disconnected = (socket: ClientSocket) =>
		new Promise<string>((resolve) => socket.once('disconnect', resolve));

	it('end when the password, role or namespaces change, or the user is removed: tokens and open dashboards', async () => {
		fx = await startFixture({ auth: { users: [...users, carol] } });
		const alice = await login(fx, { user: 'alice', password: 'alice-pw' });
		const rita = await login(fx, { user: 'rita', password: 'rita-pw' });
		const carols = await login(fx, { user: 'carol', password: 'carol-pw' });
		const aliceGone = disconnected(alice.socket);

		fx.agent.setUsers([withPassword(users[0], 'new-pw'), users[1], carol]);
		expect(await aliceGone).toBe('io server disconnect');
		expect(await refusal(fx, { token: alice.grant!.token })).toMatchObject({ code: 'E_TOKEN_INVALID' });
		expect((await refusal(fx, { user: 'alice', password: 'alice-pw' })).code).toBe('E_AUTH_INVALID');
		await login(fx, { user: 'alice', password: 'new-pw' });
		// The others' sessions hold: their dashboards still get samples, their tokens still work.
		await nextSample(rita.socket);
		expect(rita.socket.connected && carols.socket.connected).toBe(true);
		await login(fx, { token: rita.grant!.token });

		const ritaGone = disconnected(rita.socket);
		fx.agent.setUsers([users[0], { ...users[1], namespaces: ['/chat', '/admin'] }, carol]);
		await ritaGone;
		expect((await refusal(fx, { token: rita.grant!.token })).code).toBe('E_TOKEN_INVALID');

		const carolGone = disconnected(carols.socket);
		fx.agent.setUsers([users[0], users[1]]);
		await carolGone;
		expect((await refusal(fx, { token: carols.grant!.token })).code).toBe('E_TOKEN_INVALID');
	});

	it('setUsers refuses a bad list with an error naming the entry, and changes nothing', async () => {
		fx = await startFixture({ auth: { users } });
		const { grant } = await login(fx, { user: 'alice', password: 'alice-pw' });
		expect(() =>
			fx!.agent.setUsers([users[0], { name: 'ops', role: 'admin' } as unknown as UserOptions])
		).toThrow(/setUsers\(\): "users\[1\]" \("ops"\): passwordHash is undefined/);
		expect(() => fx!.agent.setUsers('alice' as unknown as UserOptions[])).toThrow(/setUsers\(\)/);
		await login(fx, { token: grant!.token });
	});

	it('an admin ends all sessions of a user: dashboards disconnected, tokens refused, the command audited', async () => {
		fx = await startFixture({ auth: { users: [...users, carol] } });
		const first = await login(fx, { user: 'alice', password: 'alice-pw' });
		const second = await login(fx, { token: first.grant!.token });
		const rita = await login(fx, { user: 'rita', password: 'rita-pw' });
		const admin = await login(fx, { user: 'carol', password: 'carol-pw' });
		const gone = Promise.all([disconnected(first.socket), disconnected(second.socket)]);

		// Only an admin of every namespace may, and junk is refused: both are in the trail too.
		expect(await outcome(rita.socket, 'sessions:end', { user: 'alice' })).toBe('E_FORBIDDEN');
		expect(await outcome(admin.socket, 'sessions:end', { user: '' })).toBe('E_VALIDATION');
		const ended = await answer(admin.socket, 'sessions:end', { user: 'alice' });
		expect(ended).toEqual({ data: { sockets: 2, nodes: { [fx.agent.nodeId]: 2 } } });
		expect(await gone).toEqual(['io server disconnect', 'io server disconnect']);
		expect((await refusal(fx, { token: first.grant!.token })).code).toBe('E_TOKEN_INVALID');
		expect(rita.socket.connected && admin.socket.connected).toBe(true);
		// A new login is a new session.
		await login(fx, { user: 'alice', password: 'alice-pw' });

		const page = (await answer<Page<AuditEntry>>(admin.socket, 'audit:query', {})) as {
			data: Page<AuditEntry>;
		};
		const entries = page.data.rows.filter((e) => e.command === 'sessions:end');
		expect(entries.map(({ principal, target, outcome, code, affected }) => ({
			who: principal?.name,
			target,
			outcome,
			code,
			affected
		}))).toEqual(
			expect.arrayContaining([
				{ who: 'carol', target: 'user alice', outcome: 'ok', code: undefined, affected: 2 },
				{ who: 'rita', target: 'user alice', outcome: 'refused', code: 'E_FORBIDDEN', affected: 0 },
				{ who: 'carol', target: 'user ', outcome: 'invalid', code: 'E_VALIDATION', affected: 0 }
			])
		);
	});

	it('refuses a signature in any other encoding than the one it was issued in', async () => {
		fx = await startFixture({ auth: { users } });
		const { grant } = await login(fx, { user: 'alice', password: 'alice-pw' });
		const [payload, signature] = grant!.token.split('.');
		const standard = Buffer.from(signature, 'base64url').toString('base64');
		for (const other of [`${signature}==`, `${signature}=`, standard, ` ${signature}`]) {
			expect((await refusal(fx, { token: `${payload}.${other}` })).code).toBe('E_TOKEN_INVALID');
		}
		await login(fx, { token: grant!.token });
	});
});
