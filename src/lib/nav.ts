/** The pages, in menu order, each with the capability it needs from the agent. */
import type { Feature } from '$protocol/models';

export type IconName =
	| 'overview'
	| 'sockets'
	| 'disconnects'
	| 'rooms'
	| 'namespaces'
	| 'events'
	| 'servers'
	| 'audit';

export interface PageEntry {
	path: string;
	label: string;
	icon: IconName;
	/** The feature the page cannot work without. */
	feature?: Feature;
}

export const PAGES: PageEntry[] = [
	{ path: '/', label: 'Overview', icon: 'overview' },
	{ path: '/sockets', label: 'Sockets', icon: 'sockets', feature: 'sockets' },
	{ path: '/disconnects', label: 'Disconnects', icon: 'disconnects', feature: 'disconnects' },
	{ path: '/rooms', label: 'Rooms', icon: 'rooms', feature: 'rooms' },
	{ path: '/namespaces', label: 'Namespaces', icon: 'namespaces' },
	{ path: '/events', label: 'Events', icon: 'events', feature: 'events' },
	{ path: '/servers', label: 'Servers', icon: 'servers' },
	{ path: '/audit', label: 'Audit', icon: 'audit', feature: 'audit' }
];

const REASONS: Partial<Record<Feature, string>> = {
	audit: 'This agent keeps no audit trail.',
	commands: 'This agent does not accept admin commands.',
	events: 'This agent has no live event log.',
	disconnects: 'This agent keeps no record of disconnects (its `disconnects` option is false).'
};

/** Why a page or action is unavailable, or null when the agent offers what it needs. */
export function unavailable(
	feature: Feature | undefined,
	features: readonly Feature[]
): string | null {
	if (!feature || features.includes(feature)) return null;
	return REASONS[feature] ?? `This agent does not offer “${feature}”.`;
}

/**
 * The browser tab's title: the page, the server, then the product (`Sockets · my-host:3000 ·
 * Sockscope`), so that tabs on several servers, or on several pages of one, tell themselves apart.
 * `path` is the hash route's path; `server` the server URL the dashboard connects to, if known.
 */
export function pageTitle(path: string | null, server: string): string {
	const page = path === null ? undefined : PAGES.find((p) => p.path === path);
	return [page?.label, serverName(server), 'Sockscope'].filter(Boolean).join(' · ');
}

/** A server URL as a title names it: host, port and any path, no scheme. */
function serverName(server: string): string {
	try {
		const url = new URL(server);
		return url.host + url.pathname.replace(/\/+$/, '');
	} catch {
		return server;
	}
}
