import { defineConfig } from 'vitest/config';

/**
 * Tests that compare the host's own latency with and without an attack (a query flood, a login
 * flood) in one run. They run after the rest, one file at a time, so that no other test file's
 * load lands in one half of the comparison and not the other.
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
