import { sveltekit } from '@sveltejs/kit/vite';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	test: {
		include: ['test/**/*.test.ts'],
		// Latency comparisons and the busiest browser test run alone, before these (vitest.isolated.config.ts).
		exclude: [...configDefaults.exclude, 'test/**/*.isolated.test.ts'],
		environment: 'node',
		testTimeout: 30_000,
		hookTimeout: 60_000,
		// Browser and cluster suites start real processes; two cores do not gain from more workers.
		maxWorkers: 2,
		fileParallelism: true
	}
});
