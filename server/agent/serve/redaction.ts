/**
 * What a dashboard is shown of a socket's handshake, by allowlist: a header or query value is
 * shown only when the operator's options name it (or widen the list to everything), so a new
 * header carrying a token (`x-auth-token`, say) is hidden without anyone having thought of it.
 * The query is hidden by default, and with it the query part of the URL, where it travels too;
 * only the fields that Engine.IO's own client adds are shown, when they look as it writes them.
 */
import { truncateName } from '../../protocol/top-n.js';
import type { Options } from '../options.js';

const HIDDEN = '[redacted]';
/** Longest value shown; a client picks its own headers and query. */
const MAX_VALUE = 1024;

interface HandshakeLike {
	headers: Record<string, string | string[] | undefined>;
	query: Record<string, unknown>;
	url: string;
}

/**
 * The query fields Engine.IO's client adds to every handshake, each with the shape its client
 * gives it: the protocol version, the transport, the polling cache-buster (a timestamp-like
 * string), the binary and JSONP flags of protocol 3. They say how a client connects, never who it
 * is. A value of another shape (a token an app put under one of these names) stays hidden, and so
 * does `sid`: Engine.IO's session id lets its holder poll as that client.
 */
const ENGINE_QUERY: Record<string, RegExp> = {
	EIO: /^[1-9]$/,
	transport: /^(polling|websocket|webtransport)$/,
	t: /^[A-Za-z0-9_-]{1,16}$/,
	b64: /^(1|true)$/,
	j: /^\d{1,4}$/
};

/** Whether a query value is one of Engine.IO's own, as its client writes it. */
function engineField(key: string, value: string): boolean {
	return Object.hasOwn(ENGINE_QUERY, key) && ENGINE_QUERY[key].test(value);
}

export interface ShownHandshake {
	headers: Record<string, string>;
	query: Record<string, string>;
	url: string;
}

export function redactHandshake(h: HandshakeLike, rules: Options['redact']): ShownHandshake {
	const denied = new Set(rules.headers.map((name) => name.toLowerCase()));
	const allowed =
		rules.showHeaders === true
			? null
			: new Set(rules.showHeaders.map((name) => name.toLowerCase()));
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(h.headers)) {
		const key = name.toLowerCase();
		const shown = !denied.has(key) && (allowed === null || allowed.has(key));
		headers[name] = shown ? clip(String(value)) : HIDDEN;
	}
	const showQuery = (key: string, value: string) =>
		rules.showQuery === true ||
		(Array.isArray(rules.showQuery) && rules.showQuery.includes(key)) ||
		engineField(key, value);
	const query: Record<string, string> = {};
	for (const [key, value] of Object.entries(h.query)) {
		query[key] = showQuery(key, String(value)) ? clip(String(value)) : HIDDEN;
	}
	return { headers, query, url: redactUrl(h.url, showQuery) };
}

/** Whether the rules show a handshake header's value (as `redactHandshake` decides it). */
export function headerShown(name: string, rules: Options['redact']): boolean {
	const key = name.toLowerCase();
	if (rules.headers.some((h) => h.toLowerCase() === key)) return false;
	return rules.showHeaders === true || rules.showHeaders.some((h) => h.toLowerCase() === key);
}

/** The URL with each query value hidden unless shown. */
function redactUrl(url: string, show: (key: string, value: string) => boolean): string {
	const at = url.indexOf('?');
	if (at === -1) return clip(url);
	const params = new URLSearchParams(url.slice(at + 1));
	const parts: string[] = [];
	for (const [key, value] of params) {
		parts.push(`${encodeURIComponent(key)}=${show(key, value) ? encodeURIComponent(value) : HIDDEN}`);
	}
	return clip(`${url.slice(0, at)}?${parts.join('&')}`);
}

function clip(text: string): string {
	return truncateName(text, MAX_VALUE);
}
