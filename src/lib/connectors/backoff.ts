/**
 * Reconnection delays: exponential, capped, with ±20 % jitter so that dashboards cut off together
 * (a server restart, a network blip) do not all come back in the same instant.
 */
export interface BackoffOptions {
	base?: number;
	max?: number;
	jitter?: number;
}

export function backoffDelay(
	attempt: number,
	{ base = 500, max = 15_000, jitter = 0.2 }: BackoffOptions = {},
	random: () => number = Math.random
): number {
	const delay = Math.min(base * 2 ** attempt, max);
	return Math.max(0, Math.round(delay + delay * jitter * (random() * 2 - 1)));
}
