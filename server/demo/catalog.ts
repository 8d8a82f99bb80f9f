/**
 * What the demo serves: its namespaces, their standing rooms and their own events. Shared by the
 * server and the bots, so the bots always speak to rooms and events that exist.
 */

/** The default namespace's standing rooms; the first is where classic clients land. */
export const CHAT_ROOMS = ['general', 'random', 'help'] as const;

/** The room of the default namespace that classic (`chat message`) clients are pinned to. */
export const LOBBY = CHAT_ROOMS[0];

export const SUPPORT_NAMESPACE = '/support';

export interface Tenant {
	namespace: string;
	/** Standing rooms, listed even when empty. */
	rooms: readonly string[];
	/** Events of this tenant's app, relayed to the sender's room (see `chat-rooms.ts`). */
	events: readonly string[];
}

/** Two tenants of a multi-tenant app, one namespace each, with their own rooms and events. */
export const TENANTS: readonly Tenant[] = [
	{
		namespace: '/tenant-acme',
		rooms: ['rockets', 'anvils', 'roadrunner'],
		events: ['order:placed']
	},
	{
		namespace: '/tenant-globex',
		rooms: ['engineering', 'sales', 'hammocks'],
		events: ['deploy:started', 'alert:raised']
	}
];

/** Every namespace of the demo. */
export const NAMESPACES = ['/', SUPPORT_NAMESPACE, ...TENANTS.map((t) => t.namespace)];

/** Longest message or ticket subject accepted, in characters. */
export const MAX_TEXT = 500;
