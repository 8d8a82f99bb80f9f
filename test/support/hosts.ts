/**
 * The socket.io servers the agent is tested against: the latest patch of each supported minor
 * (installed under aliases, `socket.io-4.6` …), and the latest with the msgpack parser, whose
 * events the agent counts through socket.io's own hooks, and whose acks and refusals it reads from
 * the binary packets.
 */
import type { Server } from 'socket.io';
import { Server as Server46 } from 'socket.io-4.6';
import { Server as Server47 } from 'socket.io-4.7';
import { Server as Server48 } from 'socket.io-4.8';
import msgpackParser from 'socket.io-msgpack-parser';

export interface Host {
	name: string;
	/** socket.io's `Server`, typed as the one the agent compiles against. */
	Server: typeof Server;
	/** The parser the server and every client of it use; absent: socket.io's default. */
	parser?: unknown;
}

export const HOSTS: Host[] = [
	{ name: 'socket.io 4.6', Server: Server46 as unknown as typeof Server },
	{ name: 'socket.io 4.7', Server: Server47 as unknown as typeof Server },
	{ name: 'socket.io 4.8', Server: Server48 as unknown as typeof Server },
	{
		name: 'socket.io 4.8 with msgpack',
		Server: Server48 as unknown as typeof Server,
		parser: msgpackParser
	}
];

/** The latest socket.io with each parser whose packets the agent reads: for what it reads there. */
export const PARSERS: { name: string; host?: Host }[] = [
	{ name: 'the default parser' },
	{ name: 'the msgpack parser', host: HOSTS[HOSTS.length - 1] }
];
