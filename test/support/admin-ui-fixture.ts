/**
 * A real Socket.IO server instrumented with @socket.io/admin-ui, as an operator would have it, that
 * also serves the built dashboard at `/sockscope/`; and a recorder of what admin-ui's `/admin`
 * namespace sends, for the connector's unit tests to replay.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instrument } from '@socket.io/admin-ui';
import bcrypt from 'bcryptjs';
import sirv from 'sirv';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import type { WireEvent } from '../../src/lib/connectors/admin-ui/wire.js';

const BUILD = join(dirname(fileURLToPath(import.meta.url)), '../../build');
const MOUNT = '/sockscope';

export interface AdminUiServerOptions {
	mode?: 'development' | 'production';
	/** Basic authentication with this user and password; absent: `auth: false`. */
	login?: { username: string; password: string };
	readonly?: boolean;
}

export interface AdminUiServer {
	io: Server;
	http: HttpServer;
	url: string;
	/** The dashboard's URL on this server. */
	dashboard: string;
	close(): Promise<void>;
}

/**
 * Namespaces `/chat` and `/news`: a client joins the room given in `auth.room`, is greeted with
 * `welcome` (a direct emit, which admin-ui reports as `event_sent`), and its `message`s are relayed
 * to its rooms.
 */
export async function startAdminUiServer(
	options: AdminUiServerOptions = {}
): Promise<AdminUiServer> {
	if (!existsSync(join(BUILD, 'index.html'))) throw new Error('build/ is missing: npx vite build');
	const assets = sirv(BUILD, { dev: true });
	const http = createServer((req, res) => {
		const url = req.url ?? '/';
		if (url === MOUNT) return void res.writeHead(302, { location: `${MOUNT}/` }).end();
		if (!url.startsWith(`${MOUNT}/`)) return void res.writeHead(404).end('not found');
		req.url = url.slice(MOUNT.length);
		assets(req, res, () => void res.writeHead(404).end('not found'));
	});
	const io = new Server(http, { pingInterval: 2000, pingTimeout: 5000 });
	for (const name of ['/chat', '/news']) {
		io.of(name).on('connection', (socket) => {
			const room = socket.handshake.auth.room;
			if (typeof room === 'string' && room) socket.join(room);
			socket.emit('welcome', { room });
			socket.on('message', (text: unknown) => socket.to([...socket.rooms]).emit('message', text));
		});
	}
	const { login } = options;
	instrument(io, {
		auth: login
			? { type: 'basic', username: login.username, password: bcrypt.hashSync(login.password, 4) }
			: false,
		// Its default follows NODE_ENV, which vitest sets to `test`.
		mode: options.mode ?? 'development',
		readonly: options.readonly ?? false
	});
	await new Promise<void>((resolve, reject) => {
		http.once('error', reject);
		http.listen(0, '127.0.0.1', resolve);
	});
	const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
	return {
		io,
		http,
		url,
		dashboard: `${url}${MOUNT}/`,
		async close() {
			await new Promise<void>((resolve) => io.close(() => resolve()));
		}
	};
}

export interface Recorder {
	/** The admin connection, which can also send admin-ui's commands. */
	socket: ClientSocket;
	/** Everything received so far, as `onAny` saw it, in order. */
	events: WireEvent[];
	/** Resolves once an event satisfies `test` (past or future). */
	until(test: (event: WireEvent) => boolean, timeout?: number): Promise<WireEvent>;
	/** Once a `server_stats` is in (every 2 s), stops: the recording and when it ended. */
	finish(): Promise<{ events: WireEvent[]; end: number }>;
}

/** Connects to admin-ui's `/admin` as a dashboard would, recording every event it receives. */
export async function recordAdminUi(
	url: string,
	auth: Record<string, string> = {}
): Promise<Recorder> {
	const socket = connect(`${url}/admin`, {
		forceNew: true,
		reconnection: false,
		transports: ['websocket'],
		auth
	});
	const events: WireEvent[] = [];
	const waiting = new Set<{ test: (e: WireEvent) => boolean; resolve: (e: WireEvent) => void }>();
	socket.onAny((event: string, ...args: unknown[]) => {
		// Through JSON, as the browser would have it, so the recording replays exactly.
		const recorded = JSON.parse(JSON.stringify([event, ...args])) as WireEvent;
		events.push(recorded);
		for (const w of waiting) if (w.test(recorded)) (waiting.delete(w), w.resolve(recorded));
	});
	await new Promise<void>((resolve, reject) => {
		socket.once('connect', resolve);
		socket.once('connect_error', reject);
	});
	const recorder: Recorder = {
		socket,
		events,
		until(test, timeout = 5000) {
			const seen = events.find(test);
			if (seen) return Promise.resolve(seen);
			return new Promise((resolve, reject) => {
				const w = { test, resolve };
				waiting.add(w);
				setTimeout(() => {
					if (waiting.delete(w)) reject(new Error('the awaited admin-ui event never came'));
				}, timeout);
			});
		},
		async finish() {
			await recorder.until((e) => e[0] === 'server_stats', 4000);
			socket.disconnect();
			return { events: [...events], end: Date.now() };
		}
	};
	return recorder;
}
