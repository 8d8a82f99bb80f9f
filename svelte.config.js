import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A single-page app: the agent serves it at any mount path, and any static host can serve it.
		adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
		// Hash routing keeps every asset URL relative to index.html, so one build works under
		// whatever `dashboard.path` the operator picks, with deep links that survive a reload.
		router: { type: 'hash' },
		paths: { relative: true },
		alias: { $protocol: 'server/protocol' },
		// A fixed name makes builds identical, so a page never mixes chunks of two builds.
		version: { name: 'sockscope' }
	}
};

export default config;
