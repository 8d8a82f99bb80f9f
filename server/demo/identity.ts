/**
 * Who a demo socket is. Every demo namespace runs `identify` as connection middleware: it reads
 * `handshake.auth.name`, trimmed, and refuses the connection when the name is not a string, is
 * empty, is longer than 32 characters, or has a character outside letters, digits, `_`, space, `.`
 * and `-`. The client then gets `connect_error` with
 *
 *   err.message  'invalid name: <reason>'    e.g. 'invalid name: name must not be empty'
 *   err.data     { code: 'INVALID_NAME', reason: '<reason>' }
 *
 * A handshake with no `auth.name` at all is a guest named `guest-<id>`: that is how the original
 * socket.io chat example connects, and it must keep working.
 */
import type { Socket } from 'socket.io';
import { Refusal, text, type DemoData } from './namespaces/handler.js';

export const MAX_NAME = 32;
const NAME_CHARS = /^[\w .-]+$/;

/** The name to use, or a `Refusal` that says what is wrong with it. */
export function checkName(input: unknown): string {
	const name = text(input, 'name', MAX_NAME);
	if (!NAME_CHARS.test(name)) {
		throw new Refusal('name may only contain letters, digits, spaces, "_", "." and "-"');
	}
	return name;
}

export function identify(socket: Socket, next: (err?: Error) => void): void {
	const auth = socket.handshake.auth as { name?: unknown } | undefined;
	const given = auth?.name;
	try {
		const data: DemoData =
			given === undefined
				? { name: `guest-${socket.id.slice(0, 6)}`, guest: true }
				: { name: checkName(given), guest: false };
		socket.data = data;
		next();
	} catch (err) {
		const reason = err instanceof Error ? err.message : 'invalid name';
		next(
			Object.assign(new Error(`invalid name: ${reason}`), {
				data: { code: 'INVALID_NAME', reason }
			})
		);
	}
}
