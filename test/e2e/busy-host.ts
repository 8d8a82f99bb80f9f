/**
 * An overloaded host in a process of its own: the e2e chat server (password login), a few chat
 * clients in rooms that keep talking, and a timer that spins the host's event loop for most of
 * each second, as a saturated production server would. Run by tests with `startBusyHost`; the
 * test's own event loop (and Playwright's, and the crowd's) stays free, so what the test sees is
 * what the dashboard shows, not the test's own lateness.
 */
import bcrypt from 'bcryptjs';
import { answerRequests, forkSelf, isChild } from '../support/child-process.js';
import { connectClients, startChatServer, type ChatClient } from './server.js';

export const BUSY_USER = 'admin';
export const BUSY_PASSWORD = 'admin-pw';

export interface BusyHost {
	url: string;
	dashboard: string;
	/**
	 * Spins the host's event loop for `spinMs` of every second from now on (0: stops). Spinning
	 * for 700 ms leaves the host 300 ms a second for its sockets, its timers and the agent.
	 */
	spin(spinMs: number): Promise<void>;
	/**
	 * Holds the host's event loop for `ms` once, now (4.5 s at most); resolves when it is free
	 * again. Far below the server's ping timeout, so that its sockets outlive it.
	 */
	block(ms: number): Promise<void>;
	close(): void;
}

type HostRequest = { type: 'start' } | { type: 'spin'; ms: number } | { type: 'block'; ms: number };

export async function startBusyHost(): Promise<BusyHost> {
	const { child, call } = forkSelf<HostRequest>(import.meta.url);
	const { url, dashboard } = await call<{ url: string; dashboard: string }>({ type: 'start' });
	return {
		url,
		dashboard,
		spin: (ms) => call({ type: 'spin', ms }),
		block: (ms) => call({ type: 'block', ms }),
		close: () => child.kill()
	};
}

let spinMs = 0;
let spinner: NodeJS.Timeout | undefined;

function hold(ms: number): void {
	const end = performance.now() + ms;
	while (performance.now() < end) {
		// The host's own CPU-bound work.
	}
}

/** Holds the event loop for `spinMs`, then lets it go for the rest of the second. */
function spinOnce(): void {
	hold(spinMs);
	spinner = setTimeout(spinOnce, 1000 - spinMs);
}

let clients: ChatClient[] = [];

async function serve(request: HostRequest): Promise<unknown> {
	switch (request.type) {
		case 'start': {
			// socket.io's own heartbeat timing, as a production host has it, rather than the fixture's
			// 2 s + 5 s: a host starved of CPU on a loaded machine must not time its own sockets out.
			const heartbeats = { pingInterval: 25_000, pingTimeout: 20_000 };
			const server = await startChatServer(
				{
					sampleInterval: 1000,
					auth: {
						users: [
							{ name: BUSY_USER, passwordHash: bcrypt.hashSync(BUSY_PASSWORD, 4), role: 'admin' }
						]
					}
				},
				0,
				heartbeats
			);
			// The demo's share of the sockets: a few in rooms, talking, so every page has something.
			for (const room of ['lobby', 'support', 'sales']) {
				clients = clients.concat(await connectClients(server.url, '/chat', room, 4));
			}
			clients = clients.concat(await connectClients(server.url, '/news', 'sports', 1));
			let i = 0;
			setInterval(() => {
				const client = clients[i++ % clients.length];
				if (client.socket.connected) client.socket.emit('message', `hello ${i}`);
			}, 200);
			return { url: server.url, dashboard: server.dashboard };
		}
		case 'spin':
			clearTimeout(spinner);
			spinMs = Math.min(request.ms, 950);
			if (spinMs > 0) spinner = setTimeout(spinOnce, 0);
			return undefined;
		case 'block':
			hold(Math.min(request.ms, 4500));
			return undefined;
	}
}

if (isChild()) answerRequests(serve);
