/** A real Socket.IO server on a free loopback port, instrumented, with real clients. */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type ServerOptions } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { instrument, type Instrumentation, type InstrumentOptions } from '../../server/agent/index.js';
import type { Ack, Sample, Snapshot } from '../../server/protocol/models.js';
import type { Host } from './hosts.js';

export interface Fixture {
	io: Server;
	http: HttpServer;
	url: string;
	agent: Instrumentation;
	/** A connected client of a namespace; closed with the fixture. */
	client(namespace?: string, options?: Partial<ManagerOptions & SocketOptions>): Promise<ClientSocket>;
	/** A dashboard connected to the admin namespace, with its snapshot. */
	/**
	 * A dashboard's socket, once its snapshot came. `listen` is called with the socket before it
	 * connects: a listener added after the snapshot would miss what came in the same read of the
	 * wire (a sample taken right after it, on a loaded machine).
	 */
	dashboard(
		auth?: Record<string, unknown>,
		options?: Partial<ManagerOptions & SocketOptions>,
		listen?: (socket: ClientSocket) => void
	): Promise<{ socket: ClientSocket; snapshot: Snapshot }>;
	close(): Promise<void>;
}

export async function startFixture(
	agentOptions: Partial<InstrumentOptions> = {},
	serverOptions: Partial<ServerOptions> = {},
	beforeInstrument?: (io: Server) => void,
	/** Which socket.io, and which parser for the server and every client; absent: the default. */
	host?: Host
): Promise<Fixture> {
	const http = createServer((_req, res) => res.writeHead(404).end('host 404'));
	const parser = host?.parser ? { parser: host.parser as ServerOptions['parser'] } : {};
	const io = new (host?.Server ?? Server)(http, { ...parser, ...serverOptions });
	beforeInstrument?.(io);
	const agent = instrument(io, { auth: false, sampleInterval: 200, ...agentOptions });
	await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
	const clients: ClientSocket[] = [];

	async function client(namespace = '/', options: Partial<ManagerOptions & SocketOptions> = {}) {
		const socket = connectClient(`${url}${namespace}`, {
			forceNew: true,
			reconnection: false,
			transports: ['websocket'],
			...parser,
			...options
		});
		clients.push(socket);
		await new Promise<void>((resolve, reject) => {
			socket.once('connect', resolve);
			socket.once('connect_error', reject);
		});
		return socket;
	}

	return {
		io,
		http,
		url,
		agent,
		client,
		async dashboard(auth = {}, options = {}, listen) {
			const socket = connectClient(`${url}${agent.options.namespace}`, {
				forceNew: true,
				reconnection: false,
				transports: ['websocket'],
				auth,
				...parser,
				...options
			});
			clients.push(socket);
			listen?.(socket);
			return { socket, snapshot: await snapshotOf(socket) };
		},
		async close() {
			for (const c of clients) c.disconnect();
			await agent.close();
			await new Promise<void>((resolve) => io.close(() => resolve()));
		}
	};
}

/**
 * The snapshot a dashboard's socket is greeted with. Rejects with the `connect_error` of a refusal,
 * and when the agent lets the dashboard in but ends it first (a session that expired meanwhile,
 * say): nothing else would ever settle it, and a test would wait for its timeout. Call it before
 * the socket can connect.
 */
export function snapshotOf(socket: ClientSocket): Promise<Snapshot> {
	return new Promise<Snapshot>((resolve, reject) => {
		socket.once('state:snapshot', resolve);
		socket.once('connect_error', reject);
		socket.once('disconnect', (reason) =>
			reject(new Error(`the dashboard was let in, then disconnected before its snapshot (${reason})`))
		);
	});
}

/** Resolves with the first arguments of the next `event`. */
export function once<T = unknown>(emitter: { once(event: string, fn: (...args: any[]) => void): unknown }, event: string): Promise<T> {
	return new Promise((resolve) => emitter.once(event, (value: T) => resolve(value)));
}

/** Sends a query or command and returns its `data`, or throws its error code and message. */
export async function ask<T>(socket: ClientSocket, event: string, payload: unknown = {}): Promise<T> {
	const answer = (await socket.timeout(5000).emitWithAck(event, payload)) as Ack<T>;
	if ('error' in answer) throw Object.assign(new Error(`${answer.error.code}: ${answer.error.message}`), answer.error);
	return answer.data;
}

/** The next sample received by a dashboard that satisfies `test`. */
export function nextSample(socket: ClientSocket, test: (s: Sample) => boolean = () => true): Promise<Sample> {
	return new Promise((resolve) => {
		const listener = (s: Sample) => {
			if (!test(s)) return;
			socket.off('stats:sample', listener);
			resolve(s);
		};
		socket.on('stats:sample', listener);
	});
}
