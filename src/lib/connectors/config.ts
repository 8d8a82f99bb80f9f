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
	socketPath: string;
	auth: { password: boolean; hook: boolean } | 'none';
}

export const DEFAULT_CONFIG: AgentConfig = {
	namespace: '/sockscope',
	socketPath: '/socket.io',
	auth: { password: true, hook: false }
};

const DEFAULT_MOUNT = '/sockscope';

/** `https://host:port` from what a user typed: adds the scheme, drops paths and slashes. */
export function normaliseServerUrl(input: string, base: string): string {
	const text = input.trim();
	if (!text) return new URL(base).origin;
	const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
	return new URL(withScheme).origin;
}

/** The config of the agent at `server`, or null when none could be read. */
async function fetchConfig(server: string, page: string): Promise<AgentConfig | null> {
	const sameOrigin = server === new URL(page).origin;
	const url = sameOrigin
		? new URL('config.json', page)
		: new URL(`${DEFAULT_MOUNT}/config.json`, server);
	try {
		// A host that never answers must not keep the login screen waiting.
		const res = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(4000) });
		if (!res.ok) return null;
		const config = (await res.json()) as Partial<AgentConfig>;
		if (typeof config.namespace !== 'string' || typeof config.socketPath !== 'string') return null;
		return {
			namespace: config.namespace,
			socketPath: config.socketPath,
			auth: config.auth ?? DEFAULT_CONFIG.auth
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
		choice.kind === 'auto' ? await probeAdminUi(server, choice.namespace, choice.path) : undefined;
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

export function targetOf(server: string, config: AgentConfig): Target {
	return { url: server, namespace: config.namespace, path: config.socketPath };
}
