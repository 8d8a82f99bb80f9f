import { defineConfig } from 'vitest/config';

/**
 * Tests that need the machine to themselves, run one file at a time:
 * - those that compare the host's own latency with and without an attack (a query flood, a login
 *   flood) in one run, so that no other test file's load lands in one half of the comparison and
 *   not the other;
 * - the Events page over 2,000 bots, whose host, its clients and the browser take both cores: beside
 *   another file it once took 118 s of its 120 (12 s alone).
 * `npm test` runs them before the rest (scripts/test-suites.mjs), and prints their failures again
 * after the main suite's summary, so that a CI log's tail shows what failed in either.
 */
export default defineConfig({
	test: {
		include: ['test/**/*.isolated.test.ts'],
		environment: 'node',
		testTimeout: 120_000,
		hookTimeout: 60_000,
		fileParallelism: false
	}
});
