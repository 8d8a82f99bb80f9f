/**
 * The end-to-end fixture: a small instrumented chat server on loopback that serves the built
 * dashboard, with scripted socket.io clients that join rooms and record what they receive.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type ServerOptions } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import {
	instrument,
	type Instrumentation,
	type InstrumentOptions
} from '../../server/agent/index.js';

export interface ChatClient {
	socket: ClientSocket;
	/** Events received from the server, in order. */
	received: { event: string; args: unknown[] }[];
	/** The reason of the client's `disconnect`, once it happened. */
	disconnectReason: string | null;
}

export interface ChatServer {
	io: Server;
	http: HttpServer;
	agent: Instrumentation;
	url: string;
	port: number;
	/** The dashboard's URL on this server. */
	dashboard: string;
	close(): Promise<void>;
}

/** Every client connects with `auth.room`; the server puts it in that room (and keeps it there). */
export async function startChatServer(
	options: Partial<InstrumentOptions> = {},
	port = 0,
	serverOptions: Partial<ServerOptions> = {}
): Promise<ChatServer> {
	const http = createServer((_req, res) => res.writeHead(404).end('not found'));
	const io = new Server(http, { pingInterval: 2000, pingTimeout: 5000, ...serverOptions });
	for (const name of ['/chat', '/news']) {
		io.of(name).on('connection', (socket) => {
			const room = socket.handshake.auth.room;
			if (typeof room === 'string' && room) socket.join(room);
			socket.on('message', (text: unknown) => socket.to([...socket.rooms]).emit('message', text));
		});
	}
	const agent = instrument(io, { auth: false, sampleInterval: 250, ...options });
	await new Promise<void>((resolve, reject) => {
		http.once('error', reject);
		http.listen(port, '127.0.0.1', resolve);
	});
	const actual = (http.address() as AddressInfo).port;
	const url = `http://127.0.0.1:${actual}`;
	return {
		io,
		http,
		agent,
		url,
		port: actual,
		dashboard: `${url}/sockscope/`,
		async close() {
			await agent.close();
			await new Promise<void>((resolve) => io.close(() => resolve()));
		}
	};
}

/** Connects `count` clients to a namespace and room, a batch at a time. */
export async function connectClients(
	url: string,
	namespace: string,
	room: string,
	count: number,
	extra: { userAgent?: string } = {}
): Promise<ChatClient[]> {
	const clients: ChatClient[] = [];
	const BATCH = 200;
	for (let start = 0; start < count; start += BATCH) {
		const batch = Array.from({ length: Math.min(BATCH, count - start) }, () =>
			connectOne(url, namespace, room, extra)
		);
		clients.push(...(await Promise.all(batch)));
	}
	return clients;
}

function connectOne(
	url: string,
	namespace: string,
	room: string,
	extra: { userAgent?: string }
): Promise<ChatClient> {
	const socket = connect(`${url}${namespace}`, {
		forceNew: true,
		reconnection: false,
		transports: ['websocket'],
		auth: { room },
		extraHeaders: extra.userAgent ? { 'user-agent': extra.userAgent } : undefined
	});
	const client: ChatClient = { socket, received: [], disconnectReason: null };
	socket.onAny((event: string, ...args: unknown[]) => client.received.push({ event, args }));
	socket.on('disconnect', (reason) => {
		client.disconnectReason = reason;
	});
	return new Promise((resolve, reject) => {
		socket.once('connect', () => resolve(client));
		socket.once('connect_error', reject);
	});
}

export function disconnectAll(clients: ChatClient[]): void {
	for (const c of clients) c.socket.disconnect();
}
