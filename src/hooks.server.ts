/**
 * Runs once, at build time, when SvelteKit renders the single page of the hash-routed app. That
 * page is rendered as a "fallback", which SvelteKit writes with root-absolute asset URLs
 * (`/_app/…`) even with `paths.relative`; the agent serves the build under a mount path
 * (`/sockscope/` by default), so the URLs are made relative to index.html here.
 */
import type { Handle } from '@sveltejs/kit';

export const handle: Handle = ({ event, resolve }) =>
	resolve(event, {
		transformPageChunk: ({ html }) => html.replace(/(["'(])\/_app\//g, '$1./_app/')
	});
