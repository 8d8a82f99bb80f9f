/**
 * Every dashboard request passes one gate: per dashboard and per user, in rate and in flight; the
 * dashboards a user opens and the live logs they hold are capped too. What is over a limit is
 * refused with `E_RATE_LIMITED` and a `retryAfter`, and nobody else waits for it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InstrumentOptions } from '../../../server/agent/index.js';
import type { Ack } from '../../../server/protocol/models.js';
import type { HandlerTable, RequestContext } from '../../../server/agent/serve/handler-table.js';
import {
	READS_PER_TOKEN,
	chargeReads,
	createRequestLimits
} from '../../../server/agent/serve/request-limits.js';
import { startFixture, type Fixture } from '../../support/agent-fixture.js';
import { closeDashboards, login, refusal, user } from '../../support/dashboard-client.js';

let fx: Fixture | undefined;
afterEach(async () => {
	closeDashboards();
	await fx?.close();
	fx = undefined;
});

const users = [user('ann', 'readonly'), user('bob', 'readonly')];
const ann = { user: 'ann', password: 'ann-pw' };
const bob = { user: 'bob', password: 'bob-pw' };

async function start(limits: InstrumentOptions['limits']): Promise<Fixture> {
	fx = await startFixture({ auth: { users }, limits });
	return fx;
}

describe('request limits', () => {
	it('refuse what one dashboard sends beyond its burst, with retryAfter, and not another user', async () => {
		const f = await start({ requestsPerSecond: 1, burst: 3 });
		const { socket: noisy } = await login(f, ann);
		const { socket: other } = await login(f, bob);
		const answers = (await Promise.all(
			Array.from({ length: 10 }, () => noisy.timeout(5000).emitWithAck('namespaces:query', {}))
		)) as Ack<unknown>[];
		const refused = answers.filter((a) => 'error' in a);
		expect(answers.length - refused.length).toBe(3);
		for (const a of refused) {
			expect('error' in a && a.error).toMatchObject({ code: 'E_RATE_LIMITED', retryAfter: 1 });
		}
		const quiet = (await other.timeout(5000).emitWithAck('namespaces:query', {})) as Ack<unknown>;
		expect('data' in quiet).toBe(true);
	});

	it('cap the dashboards one user has open, and let one in again when another leaves', async () => {
		const f = await start({ dashboardsPerUser: 2 });
		const first = await login(f, ann);
		await login(f, ann);
		expect(await refusal(f, ann)).toMatchObject({ code: 'E_RATE_LIMITED' });
		await login(f, bob);
		first.socket.disconnect();
		await expect
			.poll(
				async () =>
					await login(f, ann).then(
						() => 'in',
						() => 'out'
					)
			)
			.toBe('in');
	});

	it('cap the live event logs one user holds', async () => {
		const f = await start({ logSubscriptionsPerUser: 1 });
		const { socket: one } = await login(f, ann);
		const { socket: two } = await login(f, ann);
		const { socket: three } = await login(f, bob);
		const subscribe = (s: typeof one) =>
			s.timeout(5000).emitWithAck('log:subscribe', {}) as Promise<Ack<unknown>>;
		expect('data' in (await subscribe(one))).toBe(true);
		// Changing the filter of the one held is not another subscription.
		expect('data' in (await subscribe(one))).toBe(true);
		const refused = await subscribe(two);
		expect('error' in refused && refused.error.code).toBe('E_RATE_LIMITED');
		expect('data' in (await subscribe(three))).toBe(true);
		await one.timeout(5000).emitWithAck('log:unsubscribe', {});
		expect('data' in (await subscribe(two))).toBe(true);
	});
});

describe('a request charged by the work it does', () => {
	it('takes a token per READS_PER_TOKEN sockets read from the dashboard and its user, beyond its own', async () => {
		const limits = createRequestLimits({
			requestsPerSecond: 0.001,
			burst: 8,
			inFlight: 100,
			userRequestsPerSecond: 0.001,
			userInFlight: 100,
			dashboardsPerUser: 5,
			logSubscriptions: 10,
			logSubscriptionsPerUser: 10
		});
		const principal = { name: 'ann', role: 'readonly' } as const;
		const answer = (ctx: RequestContext, reads: unknown) => {
			chargeReads(ctx, reads as number);
			return true;
		};
		const table = limits.limitTable({ 'state:resync': { answer } } as unknown as HandlerTable);
		const ask = async (dashboard: object, reads: number) => {
			const ctx = {
				socket: dashboard,
				principal,
				address: '127.0.0.1'
			} as unknown as RequestContext;
			try {
				return await table['state:resync'].answer(ctx, reads);
			} catch (err) {
				return (err as { code: string }).code;
			}
		};
		const [one, two] = [{}, {}];
		limits.opened(one as never, principal);
		limits.opened(two as never, principal);
		// 2 × READS_PER_TOKEN + 1 reads: one token for the request, two for the reads.
		expect(await ask(one, 2 * READS_PER_TOKEN + 1)).toBe(true);
		expect(await ask(one, 2 * READS_PER_TOKEN + 1)).toBe(true);
		// 6 of the dashboard's 8 are spent: two small requests go, the next is refused.
		expect(await ask(one, 10)).toBe(true);
		expect(await ask(one, 10)).toBe(true);
		expect(await ask(one, 10)).toBe('E_RATE_LIMITED');
		// The user's budget (twice the burst) was charged the same 8: another dashboard has 8 left.
		expect(await ask(two, 7 * READS_PER_TOKEN)).toBe(true);
		expect(await ask(two, 0)).toBe('E_RATE_LIMITED');
	});
});
