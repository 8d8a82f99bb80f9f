/**
 * Page state in the URL, so a link can be shared: with the hash router the route and its query
 * both live in the hash (`#/sockets?ns=%2Fchat&sort=rtt`).
 */
import { goto } from '$app/navigation';
import { navigating, page } from '$app/state';
import { hashPath, hashQuery, href, type Params } from './hash-url';

export { hashPath, hashQuery, href, type Params };

/** The current page's query parameter (reactive). */
export function param(name: string): string {
	return hashQuery(page.url).get(name) ?? '';
}

/**
 * Changes some of the current page's parameters, replacing the history entry. Not while the user is
 * on the way to another page: written then (a search typed as the next page still loads, on a
 * slow connection or host), the old page's URL would cancel that navigation and bring them back.
 */
export function setParams(patch: Params): Promise<void> {
	const to = navigating.to?.url;
	if (to && hashPath(to) !== hashPath(page.url)) return Promise.resolve();
	const query = hashQuery(page.url);
	const merged: Params = Object.fromEntries(query.entries());
	Object.assign(merged, patch);
	return goto(href(hashPath(page.url), merged), {
		replaceState: true,
		keepFocus: true,
		noScroll: true
	});
}
