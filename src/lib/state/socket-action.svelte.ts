/**
 * The form behind a socket action (kick, join, leave, move, test event): its fields, what makes
 * it complete, and the one command it sends.
 */
import { MAX_EMIT_ARGS_BYTES, MAX_ROOM_NAME } from '$protocol/limits';
import type { Actions } from './actions.svelte';

export type SocketAction = 'kick' | 'join' | 'leave' | 'move' | 'emit';

export interface ActionTarget {
	namespace: string;
	id: string;
	rooms: string[];
}

export const TITLES: Record<SocketAction, string> = {
	kick: 'Disconnect socket',
	join: 'Join a room',
	leave: 'Leave a room',
	move: 'Move to another room',
	emit: 'Send a test event'
};

/** Parses the test event's arguments: a JSON array, or one JSON value taken as the only argument. */
export function parseArgs(text: string): { args: unknown[] } | { error: string } {
	if (!text.trim()) return { args: [] };
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return { error: 'Arguments must be JSON, e.g. ["hello", {"n": 1}].' };
	}
	const args = Array.isArray(value) ? value : [value];
	if (new TextEncoder().encode(JSON.stringify(args)).length > MAX_EMIT_ARGS_BYTES) {
		return { error: `Arguments are larger than ${MAX_EMIT_ARGS_BYTES / 1024} kB.` };
	}
	return { args };
}

/** Why the arguments cannot be sent, or null. */
export function argsError(text: string): string | null {
	const parsed = parseArgs(text);
	return 'error' in parsed ? parsed.error : null;
}

export class SocketActionForm {
	reason = $state('');
	room = $state('');
	from = $state('');
	to = $state('');
	event = $state('');
	args = $state('["hello"]');

	constructor(
		readonly action: SocketAction,
		readonly target: ActionTarget
	) {
		this.from = target.rooms[0] ?? '';
		this.room = action === 'leave' ? (target.rooms[0] ?? '') : '';
	}

	/** Why the form cannot be sent yet, or null. */
	readonly incomplete = $derived.by(() => {
		const tooLong = (s: string) => s.length > MAX_ROOM_NAME;
		switch (this.action) {
			case 'join':
			case 'leave':
				return !this.room.trim() || tooLong(this.room) ? 'Give a room.' : null;
			case 'move':
				return !this.from || !this.to.trim() || tooLong(this.to) || this.from === this.to.trim()
					? 'Choose a room to leave and another to join.'
					: null;
			case 'emit':
				return !this.event.trim() ? 'Give an event name.' : argsError(this.args);
			default:
				return null;
		}
	});

	/** Sends the command; true when the agent acknowledged it without error. */
	async submit(actions: Actions): Promise<boolean> {
		const ref = { namespace: this.target.namespace, id: this.target.id };
		switch (this.action) {
			case 'kick':
				return (await actions.kick(ref, this.reason.trim())) !== null;
			case 'join':
				return (await actions.join(ref, this.room.trim())) !== null;
			case 'leave':
				return (await actions.leave(ref, this.room)) !== null;
			case 'move':
				return (await actions.move(ref, this.from, this.to.trim())) !== null;
			case 'emit': {
				const parsed = parseArgs(this.args);
				if ('error' in parsed) return false;
				const target = { namespace: ref.namespace, socket: ref.id };
				return (await actions.emit(target, this.event.trim(), parsed.args)) !== null;
			}
		}
	}
}
