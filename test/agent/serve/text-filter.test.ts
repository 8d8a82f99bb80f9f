/**
 * The sockets list's and the rooms list's text filter: a plain piece of text found anywhere in a
 * socket's id, label, address or user agent (or a room's name), whatever its case, read up to the
 * first 256 characters of each field.
 */
import { afterEach, expect, test } from 'vitest';
import type { Page, RoomRow, SocketRow } from '../../../server/protocol/models.js';
import { ask, startFixture, type Fixture } from '../../support/agent-fixture.js';

let f: Fixture | undefined;

afterEach(async () => {
	await f?.close();
	f = undefined;
});

test('finds text in any case, as plain text, within the first 256 characters of a field', async () => {
	f = await startFixture({}, {}, (io) => {
		io.on('connection', (socket) => socket.join(String(socket.handshake.auth.room)));
	});
	const { socket: dashboard } = await f.dashboard();
	const as = (agent: string, room: string) =>
		f!.client('/', { extraHeaders: { 'user-agent': agent }, auth: { room } });
	const firefox = await as('Mozilla/5.0 (X11; Linux) Gecko/20100101 Firefox/128.0', 'Lobby.Main');
	const tool = await as('probe-1x2', 'lobbyXmain');
	const late = await as(`${'x'.repeat(300)}needle`, 'other');
	const found = async (text: string) =>
		(await ask<Page<SocketRow>>(dashboard, 'sockets:query', { text })).rows.map((r) => r.id);

	expect(await found('FIREFOX')).toEqual([firefox.id]);
	expect(await found('firefox/128')).toEqual([firefox.id]);
	// Plain text: a dot is a dot, a bracket a bracket.
	expect(await found('probe-1.2')).toEqual([]);
	expect(await found('probe-1x2')).toEqual([tool.id]);
	expect(await found('(x11')).toEqual([firefox.id]);
	// Past the first 256 characters of a user agent, nothing is read.
	expect(await found('needle')).toEqual([]);
	expect(await found(late.id!.slice(2, 12).toUpperCase())).toEqual([late.id]);

	const rooms = async (text: string) =>
		(await ask<Page<RoomRow>>(dashboard, 'rooms:query', { text })).rows.map((r) => r.name);
	expect(await rooms('LOBBY.main')).toEqual(['Lobby.Main']);
	expect(await rooms('lobby')).toEqual(expect.arrayContaining(['Lobby.Main', 'lobbyXmain']));
});
