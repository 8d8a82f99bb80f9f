/**
 * Password checks cannot hurt the host or lock out its admins: bcrypt runs off the host's event
 * loop, at most one at a time, and failed logins are counted per user name and address (IPv6 by
 * its /64), read from `X-Forwarded-For` when the operator trusts a proxy.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../support/agent-fixture.js';
import { startCrowd, type Crowd } from '../support/crowd.js';
import { closeDashboards, login, refusal, user } from './helpers.js';

let fx: Fixture;
let crowd: Crowd;

beforeAll(async () => {
	// The cost a real deployment uses (the helpers' users have the cheapest, 4).
	const admin = {
		name: 'admin',
		passwordHash: bcrypt.hashSync('admin-pw', 10),
		role: 'admin' as const
	};
	fx = await startFixture({
		auth: { users: [admin, user('viewer', 'readonly')], trustProxy: true }
	});
	crowd = startCrowd();
});
afterAll(async () => {
	closeDashboards();
	crowd?.close();
	await fx?.close();
});

const PARALLEL = 200;

describe('password logins', () => {
	it(`${PARALLEL} wrong ones at once block the host's loop for no more than 50 ms; the admin still logs in`, async () => {
		const addresses = Array.from({ length: PARALLEL }, (_, i) => `10.1.${i >> 8}.${i & 255}`);
		await crowd.proxied(fx.url, addresses);
		/** The host's longest event-loop block while the crowd tries `auth` on every connection. */
		async function longestBlock(auth: Record<string, unknown>) {
			const delay = monitorEventLoopDelay({ resolution: 10 });
			delay.enable();
			const codes = await crowd.logins('/sockscope', auth);
			delay.disable();
			const tally: Record<string, number> = {};
			for (const code of codes) tally[code] = (tally[code] ?? 0) + 1;
			return { ms: delay.max / 1e6, tally };
		}
		// The same logins with a wrong token, which costs no hash: what socket.io's own handling of
		// 200 logins costs this machine now (a loaded machine stretches every block).
		const before = await longestBlock({ token: 'not-a-token' });
		const guesses = await longestBlock({ user: 'admin', password: 'guess' });
		const after = await longestBlock({ token: 'not-a-token' });
		const control = before.ms > after.ms ? before : after;
		console.log(
			`longest loop block during ${PARALLEL} logins: ${guesses.ms.toFixed(1)} ms with passwords ` +
				`${JSON.stringify(guesses.tally)}, ${control.ms.toFixed(1)} ms with tokens`
		);
		expect(guesses.tally.ok).toBeUndefined();
		expect(guesses.tally.E_AUTH_INVALID).toBeGreaterThan(0);
		expect(guesses.ms).toBeLessThanOrEqual(Math.max(50, 2 * control.ms));
		const { snapshot } = await login(fx, { user: 'admin', password: 'admin-pw' });
		expect(snapshot.principal).toMatchObject({ name: 'admin', role: 'admin' });
	}, 120_000);

	it('locks out a user name from one address, not that user from another nor others from it', async () => {
		const from = (address: string) => ({ 'x-forwarded-for': address });
		const guess = (address: string, name = 'viewer') =>
			refusal(fx, { user: name, password: 'wrong' }, from(address));
		for (let i = 0; i < 5; i++) expect((await guess('10.2.0.1')).code).toBe('E_AUTH_INVALID');
		expect((await guess('10.2.0.1')).code).toBe('E_RATE_LIMITED');
		// The same user from elsewhere, and another user from the same address, still log in.
		await login(fx, { user: 'viewer', password: 'viewer-pw' }, from('10.2.0.2'));
		await login(fx, { user: 'admin', password: 'admin-pw' }, from('10.2.0.1'));
		// A client cannot pick its address: only the entry the trusted proxy wrote counts.
		expect((await guess('10.9.9.9, 10.2.0.1')).code).toBe('E_RATE_LIMITED');
	});

	it('counts IPv6 addresses by their /64', async () => {
		const guess = (address: string) =>
			refusal(fx, { user: 'viewer', password: 'wrong' }, { 'x-forwarded-for': address });
		for (let i = 1; i <= 5; i++)
			expect((await guess(`2001:db8:1:2::${i}`)).code).toBe('E_AUTH_INVALID');
		expect((await guess('2001:db8:1:2:ffff::9')).code).toBe('E_RATE_LIMITED');
		expect((await guess('2001:db8:1:3::1')).code).toBe('E_AUTH_INVALID');
	});
});
