/**
 * Page state in the URL, so a link can be shared: with the hash router the route and its query
 * both live in the hash (`#/sockets?ns=%2Fchat&sort=rtt`).
 */
import { goto } from '$app/navigation';
import { page } from '$app/state';
import { hashPath, hashQuery, href, type Params } from './hash-url';

export { hashPath, hashQuery, href, type Params };

/** The current page's query parameter (reactive). */
export function param(name: string): string {
	return hashQuery(page.url).get(name) ?? '';
}

/** Changes some of the current page's parameters, replacing the history entry. */
export function setParams(patch: Params): Promise<void> {
	const query = hashQuery(page.url);
	const merged: Params = Object.fromEntries(query.entries());
	Object.assign(merged, patch);
	return goto(href(hashPath(page.url), merged), {
		replaceState: true,
		keepFocus: true,
		noScroll: true
	});
}
