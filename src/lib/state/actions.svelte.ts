/**
 * Admin commands as the UI uses them: each sends one command through the connector and reports
 * its outcome as a notice. Dry runs return their count without a notice, for the confirmation.
 */
import type { Affected, CommandMap, CommandName } from '$protocol/commands';
import type { SocketRef } from '$protocol/vocabulary';
import { RequestError, type Connector } from '../connectors/connector';
import type { Notices } from './notices.svelte';

function plural(n: number, word: string): string {
	return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export class Actions {
	/** How many commands are waiting for their answer, to disable buttons meanwhile. */
	busy = $state(0);

	constructor(
		private readonly connector: Connector,
		private readonly notices: Notices
	) {}

	async #run<K extends CommandName>(
		event: K,
		input: CommandMap[K]['input'],
		done: (affected: Affected) => string
	): Promise<Affected | null> {
		this.busy++;
		try {
			const affected = await this.connector.command(event, input);
			if (!affected.dryRun) {
				this.notices.push(affected.sockets > 0 ? 'success' : 'info', done(affected));
			}
			return affected;
		} catch (err) {
			const text =
				err instanceof RequestError ? `${err.message} (${err.code})` : 'Something went wrong.';
			this.notices.push('error', `${event} failed: ${text}`);
			return null;
		} finally {
			this.busy--;
		}
	}

	kick(ref: SocketRef, reason: string) {
		return this.#run('socket:disconnect', { ...ref, ...(reason ? { reason } : {}) }, (a) =>
			a.sockets ? `Disconnected socket ${ref.id}.` : `Socket ${ref.id} was already gone.`
		);
	}

	join(ref: SocketRef, room: string) {
		return this.#run('socket:join', { ...ref, room }, () => `Socket ${ref.id} joined “${room}”.`);
	}

	leave(ref: SocketRef, room: string) {
		return this.#run('socket:leave', { ...ref, room }, () => `Socket ${ref.id} left “${room}”.`);
	}

	move(ref: SocketRef, from: string, to: string) {
		return this.#run(
			'socket:move',
			{ ...ref, from, to },
			() => `Socket ${ref.id} moved from “${from}” to “${to}”.`
		);
	}

	emit(
		target: { namespace: string; socket?: string; room?: string },
		event: string,
		args: unknown[]
	) {
		return this.#run(
			'emit:send',
			{ ...target, event, args },
			(a) => `Sent “${event}” to ${plural(a.sockets, 'socket')}.`
		);
	}

	moveRoom(namespace: string, room: string, to: string, dryRun: boolean) {
		return this.#run(
			'room:move',
			{ namespace, room, to, dryRun },
			(a) => `Moved ${plural(a.sockets, 'socket')} from “${room}” to “${to}”.`
		);
	}

	disconnectRoom(namespace: string, room: string, reason: string, dryRun: boolean) {
		return this.#run(
			'room:disconnect',
			{ namespace, room, dryRun, ...(reason ? { reason } : {}) },
			(a) => `Disconnected ${plural(a.sockets, 'socket')} of “${room}”.`
		);
	}

	/** Ends every session of `user` (their dashboards, on every node, and their tokens). */
	endSessions(user: string) {
		return this.#run(
			'sessions:end',
			{ user },
			(a) => `Ended the sessions of “${user}”: ${plural(a.sockets, 'dashboard')} disconnected.`
		);
	}
}
