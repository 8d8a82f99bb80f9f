/**
 * The admin-ui connector: @socket.io/admin-ui's `/admin` protocol over socket.io-client, turned
 * into what the native agent sends. It logs in with `{ username, password }` and reconnects with
 * the `session` id the server answers with; it announces itself once the server's config, its
 * socket list (development mode) and a first `server_stats` are in, then sends a sample a second.
 * Wire events only update plain indexes; the page sees them through those samples, query answers
 * and log batches, so a server pushing thousands of sockets and events does not flood it.
 */
import { io, type Socket } from 'socket.io-client';
import type { CommandMap, CommandName } from '$protocol/commands';
import {
	RequestError,
	type Connector,
	type ConnectorListener,
	type Credentials,
	type QueryInput,
	type QueryName,
	type QueryResult,
	type SourceInfo,
	type Target
} from '../connector';
import { AUTH_INVALID, dropMessage, Reconnector, TOKEN_EXPIRED, UNREACHABLE } from '../reconnect';
import { sourceOf } from './capabilities';
import { runCommand } from './commands';
import { AdminUiState } from './state';
import type { AdminUiClientEvents, AdminUiServerEvents } from './wire';

type AdminSocket = Socket<AdminUiServerEvents, AdminUiClientEvents>;

/** How long to wait for the first `server_stats` (sent every 2 s) before showing the page. */
const STATS_WAIT_MS = 2500;
/** How long a command waits to see its effect. */
const CONFIRM_MS = 5000;
/** admin-ui's sessions last until its server restarts (or a day, with its Redis store). */
const SESSION_MS = 86_400_000;

interface Waiter {
	check: () => boolean;
	resolve: (ok: boolean) => void;
}

export class AdminUiConnector implements Connector {
	readonly kind = 'admin-ui';
	#socket: AdminSocket | null = null;
	#listener: ConnectorListener | null = null;
	#state: AdminUiState | null = null;
	#announced = false;
	#statsWait: ReturnType<typeof setTimeout> | undefined;
	#statsWaited = false;
	#ticker: ReturnType<typeof setInterval> | undefined;
	readonly #waiters = new Set<Waiter>();
	readonly #reconnect = new Reconnector(() => this.#socket?.connect());

	get source(): SourceInfo {
		return this.#state?.source ?? sourceOf([]);
	}

	open(target: Target, credentials: Credentials, listener: ConnectorListener): void {
		this.close();
		this.#listener = listener;
		const state = new AdminUiState(target.namespace, (batch) => listener.log(batch));
		state.user = !credentials ? null : 'user' in credentials ? credentials.user : 'session';
		this.#state = state;
		const socket: AdminSocket = io(target.url + target.namespace, {
			path: target.path,
			auth: authOf(credentials),
			forceNew: true,
			reconnection: false,
			transports: target.websocketOnly ? ['websocket'] : ['websocket', 'polling'],
			tryAllTransports: !target.websocketOnly
		});
		this.#socket = socket;
		listener.status('connecting', null);

		socket.onAny((event: string, ...args: unknown[]) => {
			try {
				state.receive(event, args);
			} catch {
				// A malformed message from the server is skipped; the next full list repairs the index.
			}
			this.#settle();
			this.#announce();
		});
		socket.on('session', (id) => {
			// Reconnections (blips, restarts of this page's socket) send the session, not the password.
			socket.auth = { sessionId: id };
			listener.grant({ token: id, expiresAt: Date.now() + SESSION_MS });
		});
		socket.on('connect_error', (err: Error & { type?: string }) => {
			// Transport failures carry a type and the client's own timeout says "timeout"; anything
			// else is the server's answer to the handshake.
			if (err.type !== undefined || err.message === 'timeout') {
				this.#reconnect.retry(listener, UNREACHABLE);
			} else if (err.message === 'invalid credentials') {
				this.#refuse('sessionId' in (socket.auth as object) ? TOKEN_EXPIRED : AUTH_INVALID);
			} else if (err.message === 'Invalid namespace') {
				this.#refuse({
					kind: 'protocol',
					message: `This server has no @socket.io/admin-ui namespace “${target.namespace}”. Check the admin namespace and path, or choose Sockscope’s agent.`
				});
			} else this.#refuse({ kind: 'other', message: 'The server refused the connection.' });
		});
		socket.on('disconnect', (reason) => {
			this.#stop();
			const message = dropMessage(reason);
			if (message) this.#reconnect.retry(listener, message);
		});
	}

	/** Shows the page once what the server sends first is in. */
	#announce(): void {
		const state = this.#state;
		const listener = this.#listener;
		if (this.#announced || !state || !listener || !this.#socket?.connected || !state.ready) return;
		if (state.figures.live(Date.now()).length === 0 && !this.#statsWaited) {
			this.#statsWait ??= setTimeout(() => {
				this.#statsWait = undefined;
				this.#statsWaited = true;
				this.#announce();
			}, STATS_WAIT_MS);
			return;
		}
		clearTimeout(this.#statsWait);
		this.#statsWait = undefined;
		this.#announced = true;
		this.#reconnect.succeeded();
		state.tick();
		listener.snapshot(state.snapshot());
		listener.status('connected', null);
		this.#ticker = setInterval(() => {
			for (const sample of state.tick()) listener.sample(sample);
		}, 1000);
	}

	#refuse(problem: Parameters<ConnectorListener['status']>[1]): void {
		this.#stop();
		this.#socket?.disconnect();
		this.#listener?.status('refused', problem);
	}

	/** After a drop: the next connection's config and socket list replace this one's. */
	#stop(): void {
		clearInterval(this.#ticker);
		clearTimeout(this.#statsWait);
		this.#statsWait = undefined;
		this.#statsWaited = false;
		this.#announced = false;
		// Before socket.io-client replays what it buffered ahead of the next `connect`.
		this.#state?.restart();
		for (const w of this.#waiters) w.resolve(false);
		this.#waiters.clear();
	}

	#settle(): void {
		for (const w of this.#waiters) {
			if (!w.check()) continue;
			this.#waiters.delete(w);
			w.resolve(true);
		}
	}

	#until(check: () => boolean): Promise<boolean> {
		if (check()) return Promise.resolve(true);
		return new Promise((resolve) => {
			const waiter = { check, resolve };
			this.#waiters.add(waiter);
			setTimeout(() => {
				if (this.#waiters.delete(waiter)) resolve(false);
			}, CONFIRM_MS);
		});
	}

	retryNow(): void {
		if (!this.#socket || this.#socket.connected) return;
		this.#reconnect.now(this.#listener);
	}

	async query<K extends QueryName>(event: K, input: QueryInput<K>): Promise<QueryResult<K>> {
		const state = this.#connected();
		return state.answer(event, input);
	}

	async command<K extends CommandName>(
		event: K,
		input: CommandMap[K]['input']
	): Promise<CommandMap[K]['result']> {
		const state = this.#connected();
		const socket = this.#socket!;
		if (!state.features.includes('commands')) {
			const gap = state.source.gaps.commands;
			throw new RequestError('E_FORBIDDEN', gap?.reason ?? 'This server accepts no commands.');
		}
		return runCommand(
			{
				index: state.index,
				supported: state.supported ?? [],
				send: (name, ...args) => socket.emit(name, ...args),
				until: (check) => this.#until(check)
			},
			event,
			input
		);
	}

	#connected(): AdminUiState {
		if (!this.#socket?.connected || !this.#state || !this.#announced)
			throw new RequestError('E_OFFLINE', 'Not connected to the server.');
		return this.#state;
	}

	close(): void {
		this.#stop();
		this.#reconnect.cancel();
		this.#state?.log.unsubscribe();
		this.#socket?.removeAllListeners();
		this.#socket?.offAny();
		this.#socket?.disconnect();
		this.#socket = null;
		this.#state = null;
	}
}

/** admin-ui's handshake: `{ username, password }`, or the session id it gave. */
function authOf(credentials: Credentials): Record<string, string> {
	if (!credentials) return {};
	if ('token' in credentials) return { sessionId: credentials.token };
	return { username: credentials.user, password: credentials.password };
}
