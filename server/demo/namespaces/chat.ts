/**
 * The default namespace: chat rooms `general`, `random`, `help` and any room a user creates (see
 * `chat-rooms.ts` for the protocol), plus the protocol of socket.io's classic chat example.
 *
 * Classic clients connect without `auth.name`, emit `chat message` with a string and render every
 * `chat message` they receive. They are pinned to `general` and also sit in the internal room
 * `~classic`, which the rich events skip. Every message posted in `general`, by either protocol,
 * reaches them as `chat message` with its text, their own included: they have no ack to learn of
 * their own message, and the original page only shows what it receives. So, like rich clients,
 * they see each message once. An ack callback, as the later tutorial steps pass, is called.
 */
import type { Namespace } from 'socket.io';
import { CHAT_ROOMS, LOBBY, MAX_TEXT } from '../catalog.js';
import { registerChatRooms } from './chat-rooms.js';
import { dataOf, on, text } from './handler.js';

/** `~` cannot start a room name a user picks, so this room is never listed or joined by hand. */
export const CLASSIC_ROOM = '~classic';

export function registerChat(nsp: Namespace): void {
	const rooms = registerChatRooms(nsp, {
		rooms: CHAT_ROOMS,
		silent: CLASSIC_ROOM,
		onPost: (message) => {
			if (message.room === LOBBY) nsp.to(CLASSIC_ROOM).emit('chat message', message.text);
		}
	});

	nsp.on('connection', (socket) => {
		const data = dataOf(socket);
		if (data.guest) {
			rooms.enter(socket, LOBBY);
			socket.join(CLASSIC_ROOM);
			data.pinned = true;
		}
		// Rich clients may use it too: their message goes to their own room, like `message:send`.
		on(socket, 'chat message', (input) => {
			rooms.post(socket, text(input, 'message', MAX_TEXT));
		});
	});
}
