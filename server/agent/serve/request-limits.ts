/**
 * One gate for every dashboard request: a token bucket and a count of requests being answered,
 * per dashboard and per user (summed over that user's dashboards), and a cap on the dashboards a
 * user has open. A request over a limit is answered at once with `E_RATE_LIMITED` and a
 * `retryAfter`, and does no work: a dashboard that asks a thousand times a second costs the host
 * a thousand small refusals, not a thousand queries.
 *
 * A request costs one token, and one more for every `READS_PER_TOKEN` sockets (or rooms) it reads
 * (`chargeReads`): at 10,000 sockets a seek costs six, so a user's dashboards together scan all
 * the sockets about twice a second at most, however they are sent. The charge is taken as the
 * request starts, so the budget may go below zero: the requests that follow wait until it has
 * filled again, to one token.
 *
 * State lives as long as the dashboards it counts: per dashboard in a WeakMap, per user in a map
 * whose entry goes with the user's last dashboard.
 */
import type { Socket } from 'socket.io';
import type { Principal } from '../../protocol/models.js';
import type { Entry, HandlerTable, RequestContext } from './handler-table.js';
import type { RequestName } from '../../protocol/events.js';
import { AgentError } from '../base/errors.js';
import { ScanTurns } from '../base/scan-turns.js';
import type { LimitOptions } from '../options.js';

/** A token bucket that also counts the requests it let through that are not answered yet. */
class Budget {
	private tokens: number;
	private last: number;
	inFlight = 0;

	constructor(
		private readonly perSecond: number,
		private readonly burst: number,
		private readonly maxInFlight: number,
		now: number
	) {
		this.tokens = burst;
		this.last = now;
	}

	/** Seconds until a request would be let through; 0 when one may go now. */
	wait(now: number): number {
		this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
		this.last = now;
		if (this.inFlight >= this.maxInFlight) return 1;
		return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perSecond);
	}

	take(): void {
		this.tokens -= 1;
		this.inFlight++;
	}

	/**
	 * Takes `tokens` more for a request already let through. The debt is bounded by one burst, so
	 * that one request on a huge host makes its user wait seconds, not minutes.
	 */
	spend(tokens: number): void {
		this.tokens = Math.max(-this.burst, this.tokens - tokens);
	}
}

/** Sockets (or rooms) a request reads for each token it costs beyond its first. */
export const READS_PER_TOKEN = 2000;

/** Charges a request that reads `reads` sockets (or rooms) for that work, before it is done. */
export function chargeReads(ctx: RequestContext, reads: number): void {
	const tokens = Math.floor(reads / READS_PER_TOKEN);
	if (tokens > 0) ctx.charge?.(tokens);
}

interface User {
	budget: Budget;
	dashboards: number;
}

export interface RequestLimits {
	/** Throws `E_RATE_LIMITED` when the principal already has as many dashboards open as allowed. */
	admit(principal: Principal): void;
	/** Counts a dashboard that connected; false when it is one too many (it must be disconnected). */
	opened(socket: Socket, principal: Principal): boolean;
	/** Forgets a dashboard that left. */
	closed(socket: Socket): void;
	/** Every entry of the table behind the gate; unacknowledged requests over a limit are dropped. */
	limitTable(table: HandlerTable): HandlerTable;
}

type AnyHandler = (ctx: RequestContext, payload: unknown) => unknown;

const REQUESTS_MESSAGE = 'too many requests from this dashboard or user; try again later';

/**
 * `turns`: every admitted request starts on a turn of the event loop shared with the scans
 * (base/scan-turns.ts). Twenty dashboards' requests arriving in one poll of the network would
 * otherwise all be answered before the host's next timer, each cheap, together a long block.
 */
export function createRequestLimits(
	options: Required<LimitOptions>,
	turns: ScanTurns = new ScanTurns()
): RequestLimits {
	const users = new Map<string, User>();
	const dashboards = new WeakMap<object, { user: User; name: string; budget: Budget }>();

	return {
		admit(principal) {
			const open = users.get(principal.name)?.dashboards ?? 0;
			if (open >= options.dashboardsPerUser) {
				throw new AgentError(
					'E_RATE_LIMITED',
					`${principal.name} has ${open} dashboards open, the most allowed`,
					60
				);
			}
		},
		opened(socket, principal) {
			const now = Date.now();
			let user = users.get(principal.name);
			if (!user) {
				const { userRequestsPerSecond: rate, userInFlight, burst } = options;
				user = { budget: new Budget(rate, burst * 2, userInFlight, now), dashboards: 0 };
				users.set(principal.name, user);
			}
			if (user.dashboards >= options.dashboardsPerUser) return false;
			user.dashboards++;
			const { requestsPerSecond: rate, burst, inFlight } = options;
			dashboards.set(socket, {
				user,
				name: principal.name,
				budget: new Budget(rate, burst, inFlight, now)
			});
			return true;
		},
		closed(socket) {
			const entry = dashboards.get(socket);
			if (!entry) return;
			dashboards.delete(socket);
			if (--entry.user.dashboards === 0) users.delete(entry.name);
		},
		limitTable(table) {
			const limited = {} as Record<RequestName, Entry<RequestName>>;
			for (const name of Object.keys(table) as RequestName[]) {
				const { answer, unacknowledged } = table[name] as Entry<RequestName>;
				limited[name] = {
					answer: wrap(answer, true) as Entry<RequestName>['answer'],
					...(unacknowledged ? { unacknowledged: wrap(unacknowledged, false) } : {})
				};
			}
			return limited as HandlerTable;
		}
	};

	function wrap(handler: AnyHandler, acknowledged: boolean): AnyHandler {
		return (ctx, payload) => {
			const entry = dashboards.get(ctx.socket);
			if (!entry) throw new AgentError('E_FORBIDDEN', 'this dashboard is not connected');
			const now = Date.now();
			const wait = Math.max(entry.budget.wait(now), entry.user.budget.wait(now));
			if (wait > 0) {
				if (!acknowledged) return undefined;
				throw new AgentError('E_RATE_LIMITED', REQUESTS_MESSAGE, wait);
			}
			entry.budget.take();
			entry.user.budget.take();
			const done = () => {
				entry.budget.inFlight--;
				entry.user.budget.inFlight--;
			};
			const charge = (tokens: number) => {
				entry.budget.spend(tokens);
				entry.user.budget.spend(tokens);
			};
			return turns
				.next()
				.then(() => handler({ ...ctx, charge }, payload))
				.finally(done);
		};
	}
}
