import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../../server/protocol/models.js';
import { startFixture, type Fixture } from '../../support/agent-fixture.js';
import { closeDashboards, login, refusal, user } from '../../support/dashboard-client.js';

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
