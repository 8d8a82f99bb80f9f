/**
 * The one way demo handlers are attached. A client can send any payload, with or without an
 * acknowledgement callback, so `on()` finds the callback, turns the handler's return value into
 * `{ data }` and what it throws into `{ error }`, and never lets an exception or a rejected promise
 * escape into the process (a throw inside a socket.io listener is an uncaught exception).
 */
import createDebug from 'debug';
import type { Socket } from 'socket.io';

const debug = createDebug('sockscope:demo');

/** Every demo acknowledgement: the result, or a message fit to show the user. */
export type Reply<T> = { data: T } | { error: string };

/** A refusal meant for the client: bad input, or not allowed. Its message is sent as is. */
export class Refusal extends Error {
	override name = 'Refusal';
}

/** What a demo socket carries in `socket.data`. */
export interface DemoData {
	name: string;
	/** Connected without `auth.name`, under a generated guest name. */
	guest: boolean;
	/** The chat room the socket is in, in the chat namespaces. */
	room?: string;
	/** Classic clients may not change rooms. */
	pinned?: boolean;
}

export function dataOf(socket: { data: unknown }): DemoData {
	return socket.data as DemoData;
}

export function on(socket: Socket, event: string, handler: (input: unknown) => unknown): void {
	socket.on(event, (...args: unknown[]) => {
		const ack =
			typeof args.at(-1) === 'function'
				? (args.pop() as (reply: Reply<unknown>) => void)
				: undefined;
		const fail = (err: unknown) => {
			if (!(err instanceof Refusal)) debug('handler for %s failed: %O', event, err);
			ack?.({ error: err instanceof Refusal ? err.message : 'internal error' });
		};
		try {
			Promise.resolve(handler(args[0])).then((data) => ack?.({ data }), fail);
		} catch (err) {
			fail(err);
		}
	});
}

/** A trimmed, non-empty string of at most `max` characters, or a refusal naming `what`. */
export function text(input: unknown, what: string, max: number): string {
	if (typeof input !== 'string') throw new Refusal(`${what} must be a string`);
	const value = input.trim();
	if (!value) throw new Refusal(`${what} must not be empty`);
	if (value.length > max) throw new Refusal(`${what} must be at most ${max} characters`);
	return value;
}
