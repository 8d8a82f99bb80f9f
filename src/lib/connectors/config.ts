/**
 * Where to connect. Served by the agent, the dashboard reads `config.json` beside its own
 * index.html; opened from another host, it asks the typed server for `/sockscope/config.json`
 * (which needs CORS on that server) and otherwise falls back to the agent's defaults.
 */
import type { Target } from './connector';

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
export async function fetchConfig(server: string, page: string): Promise<AgentConfig | null> {
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

export function targetOf(server: string, config: AgentConfig): Target {
	return { url: server, namespace: config.namespace, path: config.socketPath };
}
