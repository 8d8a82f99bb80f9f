/** Routes and their state in the hash: `#/sockets?ns=%2Fchat&sort=rtt`. Pure, for links and tests. */

export type Params = Record<string, string | null | undefined>;

/** The query part of the hash route. */
export function hashQuery(url: URL): URLSearchParams {
	const i = url.hash.indexOf('?');
	return new URLSearchParams(i < 0 ? '' : url.hash.slice(i + 1));
}

/** The path part of the hash route, `/` when there is none. */
export function hashPath(url: URL): string {
	const path = url.hash.replace(/^#/, '').split('?')[0];
	return path || '/';
}

/** A link to a page with its state; empty values are left out. */
export function href(path: string, params: Params = {}): string {
	const query = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) if (v) query.set(k, v);
	const text = query.toString();
	return `#${path}${text ? `?${text}` : ''}`;
}
