/**
 * Failed logins per key, in a one-minute window: auth/index.ts keeps one limiter per user name
 * and address group, and one per address group across every name. Memory stays bounded: expired
 * windows are pruned on an unref'd timer, and past `MAX_TRACKED` keys the oldest window is dropped.
 */
import { AgentError } from '../base/errors.js';

const WINDOW_MS = 60_000;
const MAX_TRACKED = 10_000;

interface Window {
	failures: number;
	resetAt: number;
}

export class LoginLimiter {
	private readonly windows = new Map<string, Window>();
	private readonly pruner: NodeJS.Timeout;

	constructor(private readonly maxFailures: number) {
		this.pruner = setInterval(() => this.prune(Date.now()), WINDOW_MS);
		// A login limiter must never keep the host's process alive.
		this.pruner.unref();
	}

	/**
	 * Reserves one attempt for `address`, or throws `E_RATE_LIMITED`. The attempt counts as a
	 * failure until `succeeded()` gives it back, so parallel attempts cannot outrun the limit.
	 */
	attempt(address: string, now = Date.now()): void {
		let window = this.windows.get(address);
		if (window && window.resetAt <= now) {
			this.windows.delete(address);
			window = undefined;
		}
		if (!window) {
			if (this.windows.size >= MAX_TRACKED) this.windows.delete(this.windows.keys().next().value!);
			window = { failures: 0, resetAt: now + WINDOW_MS };
			this.windows.set(address, window);
		}
		if (window.failures >= this.maxFailures) {
			const retryAfter = Math.max(1, Math.ceil((window.resetAt - now) / 1000));
			throw new AgentError('E_RATE_LIMITED', undefined, retryAfter);
		}
		window.failures++;
	}

	/** Gives back the attempt reserved by `attempt()`: a successful login is not a failure. */
	succeeded(address: string): void {
		const window = this.windows.get(address);
		if (window && window.failures > 0) window.failures--;
	}

	private prune(now: number): void {
		for (const [address, window] of this.windows)
			if (window.resetAt <= now) this.windows.delete(address);
	}

	dispose(): void {
		clearInterval(this.pruner);
		this.windows.clear();
	}
}
