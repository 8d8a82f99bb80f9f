/**
 * A list's first load, asked again when it was refused for a reason that passes: the dashboard's
 * request budget spent (`E_RATE_LIMITED`, with the agent's `retryAfter`) or no answer in time
 * (`E_TIMEOUT`). Until a first load comes a list has nothing to refresh, and it would stay empty
 * until the user pressed reload. Other refusals (forbidden, invalid) would come back the same.
 */
import { RequestError } from '../connectors/connector';

const PASSING = new Set(['E_RATE_LIMITED', 'E_TIMEOUT']);
const FIRST_WAIT_MS = 1000;
const MAX_WAIT_MS = 10_000;

export class FirstLoadRetry {
	#timer: ReturnType<typeof setTimeout> | undefined;
	#waitMs = FIRST_WAIT_MS;

	/**
	 * Calls `again` later if `err` passes: after `retryAfter` when the agent said, else after a
	 * wait that doubles each time, up to 10 s. `stop()` is the one way to drop it.
	 */
	schedule(err: unknown, again: () => void): void {
		if (!(err instanceof RequestError) || !PASSING.has(err.code)) return;
		const wait = err.retryAfter !== undefined ? err.retryAfter * 1000 : this.#waitMs;
		this.#waitMs = Math.min(MAX_WAIT_MS, this.#waitMs * 2);
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => {
			this.#timer = undefined;
			again();
		}, wait);
	}

	/** Forgets a retry waiting and the waits so far: for a new filter, or a page that closes. */
	stop(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		this.#waitMs = FIRST_WAIT_MS;
	}
}
