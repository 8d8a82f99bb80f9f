/**
 * A room-wide action: move every member to another room, disconnect them all, or send them an
 * event. Moves and disconnects go in two steps: a dry run whose count is shown, then the real one.
 */
import type { Affected } from '$protocol/commands';
import { MAX_ROOM_NAME } from '$protocol/limits';
import type { Actions } from '$lib/state/actions.svelte';
import { argsError, parseArgs } from '$lib/state/socket-action.svelte';

export type RoomAction = 'move' | 'disconnect' | 'emit';

export const ROOM_TITLES: Record<RoomAction, string> = {
	move: 'Move every member to another room',
	disconnect: 'Disconnect every member',
	emit: 'Send an event to the room'
};

export class RoomActionForm {
	to = $state('');
	reason = $state('');
	event = $state('');
	args = $state('["hello"]');
	/** The dry run's answer, for the inputs it was made with. */
	preview = $state.raw<{ affected: Affected; key: string } | null>(null);

	constructor(
		readonly action: RoomAction,
		readonly namespace: string,
		readonly room: string
	) {}

	readonly #key = $derived(`${this.to}\u0000${this.reason}`);
	/** The preview, if it still matches the inputs. */
	readonly current = $derived(this.preview?.key === this.#key ? this.preview.affected : null);

	readonly incomplete = $derived.by(() => {
		if (this.action === 'move') {
			const to = this.to.trim();
			return !to || to.length > MAX_ROOM_NAME || to === this.room ? 'Give another room.' : null;
		}
		if (this.action === 'emit')
			return !this.event.trim() ? 'Give an event name.' : argsError(this.args);
		return null;
	});

	/** What the confirm button says: a preview first, then the count it will touch. */
	get label(): string {
		if (this.action === 'emit') return 'Send';
		if (!this.current) return 'Preview (dry run)';
		const n = this.current.sockets;
		return `${this.action === 'move' ? 'Move' : 'Disconnect'} ${n} socket${n === 1 ? '' : 's'}`;
	}

	/** Runs the next step; true when the action is done and the dialog can close. */
	async step(actions: Actions): Promise<boolean> {
		const { namespace, room } = this;
		if (this.action === 'emit') {
			const parsed = parseArgs(this.args);
			if ('error' in parsed) return false;
			return (await actions.emit({ namespace, room }, this.event.trim(), parsed.args)) !== null;
		}
		const dryRun = this.current === null;
		const key = this.#key;
		const affected =
			this.action === 'move'
				? await actions.moveRoom(namespace, room, this.to.trim(), dryRun)
				: await actions.disconnectRoom(namespace, room, this.reason.trim(), dryRun);
		if (affected === null) return false;
		if (dryRun) this.preview = { affected, key };
		return !dryRun;
	}
}
