/**
 * Where to connect. Served by the agent, the dashboard reads `config.json` beside its own
 * index.html; opened from another host, it asks the typed server for `/sockscope/config.json`
 * (which needs CORS on that server). Without one, it looks for @socket.io/admin-ui's namespace,
 * and otherwise falls back to the agent's defaults.
 */
import { probeAdminUi } from './admin-ui/detect';
import type { SourceKind, Target } from './connector';

/** What the agent serves at `<mount>/config.json`. */
export interface AgentConfig {
	namespace: string;
	/** socket.io's path on the app's own server, before any proxy's prefix. */
	socketPath: string;
	auth: { password: boolean; hook: boolean } | 'none';
	/** Where the agent serves the dashboard on the app's own server (`/sockscope`). */
	mount?: string;
	/** The proxy's prefix, when the operator gives it (`dashboard.prefix`). */
	prefix?: string;
}

export const DEFAULT_CONFIG: AgentConfig = {
	namespace: '/sockscope',
	socketPath: '/socket.io',
	auth: { password: true, hook: false }
};

const DEFAULT_MOUNT = '/sockscope';

/**
 * `https://host:port`, or `https://host:port/prefix` for an app behind a proxy's path, from what
 * a user typed: adds the scheme, keeps the path, drops the query, the hash and trailing slashes.
 */
export function normaliseServerUrl(input: string, base: string): string {
	const text = input.trim();
	if (!text) return new URL(base).origin;
	const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
	const url = new URL(withScheme);
	return url.origin + url.pathname.replace(/\/+$/, '');
}

/**
 * The path in front of the app's own paths, as the browser sees them: the server URL's path when
 * one was typed; for the page's own server, the part of the page's path before the agent's mount
 * (`/app2` for a page at `/app2/sockscope/` when the agent serves `/sockscope`), or the prefix the
 * operator gave when a proxy renames the path too.
 */
export function publicPrefix(server: string, page: string, config: AgentConfig): string {
	const typed = new URL(server).pathname.replace(/\/+$/, '');
	if (typed) return typed;
	const here = new URL(page);
	if (new URL(server).origin !== here.origin) return '';
	if (config.prefix !== undefined) return config.prefix.replace(/\/+$/, '');
	if (!config.mount) return '';
	const at = here.pathname.indexOf(`${config.mount}/`);
	return at > 0 ? here.pathname.slice(0, at) : '';
}

/** The config of the agent at `server`, or null when none could be read. */
async function fetchConfig(server: string, page: string): Promise<AgentConfig | null> {
	const sameOrigin = server === new URL(page).origin;
	// Relative to the page, which the agent serves beside it whatever prefix a proxy adds.
	const url = sameOrigin
		? new URL('config.json', page)
		: new URL(`${server}${DEFAULT_MOUNT}/config.json`);
	try {
		// A host that never answers must not keep the login screen waiting.
		const res = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(4000) });
		if (!res.ok) return null;
		const config = (await res.json()) as Partial<AgentConfig>;
		if (typeof config.namespace !== 'string' || typeof config.socketPath !== 'string') return null;
		return {
			namespace: config.namespace,
			socketPath: config.socketPath,
			auth: config.auth ?? DEFAULT_CONFIG.auth,
			...(typeof config.mount === 'string' ? { mount: config.mount } : {}),
			...(typeof config.prefix === 'string' ? { prefix: config.prefix } : {})
		};
	} catch {
		return null;
	}
}

/** What the login screen chose: a protocol, or detection, and admin-ui's connection options. */
export interface SourceChoice {
	kind: SourceKind | 'auto';
	/** admin-ui's namespace, path and transports; Sockscope's agent announces its own. */
	namespace: string;
	path: string;
	websocketOnly: boolean;
}

export const DEFAULT_CHOICE: SourceChoice = {
	kind: 'auto',
	namespace: '/admin',
	path: '/socket.io',
	websocketOnly: false
};

export interface ResolvedSource {
	kind: SourceKind;
	config: AgentConfig;
	/** False when nothing answered and the agent's defaults are assumed. */
	known: boolean;
}

/** The protocol the server speaks and how to reach it, as chosen or as detected. */
export async function resolveSource(
	server: string,
	page: string,
	choice: SourceChoice
): Promise<ResolvedSource> {
	if (choice.kind !== 'admin-ui') {
		const config = await fetchConfig(server, page);
		if (config || choice.kind === 'sockscope')
			return { kind: 'sockscope', config: config ?? DEFAULT_CONFIG, known: config !== null };
	}
	const probe =
		choice.kind === 'auto'
			? await probeAdminUi(
					new URL(server).origin,
					choice.namespace,
					publicPrefix(server, page, DEFAULT_CONFIG) + choice.path
				)
			: undefined;
	if (probe === null) return { kind: 'sockscope', config: DEFAULT_CONFIG, known: false };
	return {
		kind: 'admin-ui',
		config: {
			namespace: choice.namespace,
			socketPath: choice.path,
			// Chosen by hand, admin-ui may or may not want a login: the form offers one, optional.
			auth: probe === 'open' ? 'none' : DEFAULT_CONFIG.auth
		},
		known: true
	};
}

/** Where socket.io is, as the browser reaches it: the origin, and the prefix before its path. */
export function targetOf(server: string, config: AgentConfig, page: string): Target {
	return {
		url: new URL(server).origin,
		namespace: config.namespace,
		path: publicPrefix(server, page, config) + config.socketPath
	};
}
