/**
 * The open room's members: the Sockets page's live window with the room as its filter, so that a
 * room of thousands costs the rows in view, kept current by the agent with only what changed. For
 * a source without live windows (admin-ui), its pages read in turn and re-read every few seconds.
 */
import type { SlimRow } from '$protocol/windows';
import type { Dashboard } from '$lib/state/dashboard.svelte';
import { SocketRows } from '$lib/state/socket-rows.svelte';

export class RoomMembers extends SocketRows<SlimRow> {
	constructor(
		dashboard: Dashboard,
		readonly namespace: string,
		readonly room: string
	) {
		super(
			dashboard,
			(_query, cursor, limit) =>
				dashboard.api.query('room:members', { namespace, room, cursor, limit }),
			// Slim: the list shows neither a member's rooms nor its traffic, so neither is streamed;
			// its order (the default, oldest first) is one a slim row carries.
			{ pageSize: 100, prefetch: 50, slim: true }
		);
	}

	/** Starts over: when the room opens, and after a reconnect. */
	restart(): Promise<void> {
		return this.start({ namespace: this.namespace, room: this.room });
	}
}
