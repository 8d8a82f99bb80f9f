/**
 * The native connector: Sockscope's own protocol over socket.io-client. It owns reconnection
 * (socket.io-client's own stops after a server-side disconnect, which is what a restarting
 * server sends), maps the agent's refusals to problems, and checks the protocol version.
 */
import { io, type Socket } from 'socket.io-client';
import type { CommandMap, CommandName } from '$protocol/commands';
import type {
	AgentToDashboardEvents,
	ConnectRefusal,
	DashboardToAgentEvents
} from '$protocol/events';
import type { Ack, Sample, Snapshot } from '$protocol/models';
import { applyJsonPatch, type Json } from '$protocol/json-patch';
import { SAMPLES_AS_PATCHES } from '$protocol/samples';
import { PROTOCOL_VERSION } from '$protocol/version';
import {
	NATIVE_SOURCE,
	RequestError,
	type ConnectionProblem,
	type Connector,
	type ConnectorListener,
	type Credentials,
	type QueryInput,
	type QueryName,
	type QueryResult,
	type Target
} from './connector';
import { AUTH_INVALID, dropMessage, Reconnector, TOKEN_EXPIRED, UNREACHABLE } from './reconnect';

/**
 * How long a request may take before it counts as failed. A saturated host answers late but
 * answers: the page says it is waiting (Loading.svelte) rather than give up on it.
 */
const REQUEST_TIMEOUT = 30_000;
/**
 * How long a connection attempt may take (socket.io-client's default is 20 s). A busy host's
 * handshake can take longer; starting it again would only add another to its queue.
 */
const CONNECT_TIMEOUT = 45_000;

type AgentSocket = Socket<AgentToDashboardEvents, DashboardToAgentEvents>;

export class NativeConnector implements Connector {
	readonly kind = 'sockscope';
	readonly source = NATIVE_SOURCE;
	#socket: AgentSocket | null = null;
	#listener: ConnectorListener | null = null;
	readonly #reconnect = new Reconnector(() => this.#socket?.connect());
	/** Each node's latest sample, which its next patch applies to. */
	readonly #samples = new Map<string, Sample>();

	open(target: Target, credentials: Credentials, listener: ConnectorListener): void {
		this.close();
		this.#listener = listener;
		const socket: AgentSocket = io(target.url + target.namespace, {
			path: target.path,
			auth: { ...credentials, samples: SAMPLES_AS_PATCHES },
			forceNew: true,
			reconnection: false,
			transports: ['websocket', 'polling'],
			tryAllTransports: true,
			timeout: CONNECT_TIMEOUT
		});
		this.#socket = socket;
		listener.status('connecting', null);

		socket.on('state:snapshot', (snapshot: Snapshot) => {
			if (snapshot.protocol !== PROTOCOL_VERSION) {
				this.#refuse({
					kind: 'protocol',
					message: `The agent speaks protocol version ${snapshot.protocol}; this dashboard speaks version ${PROTOCOL_VERSION}. Use the dashboard served by the agent itself.`
				});
				return;
			}
			this.#reconnect.succeeded();
			listener.snapshot(snapshot);
			listener.status('connected', null);
		});
		socket.on('stats:sample', (sample) => {
			this.#samples.set(sample.nodeId, sample);
			listener.sample(sample);
		});
		socket.on('stats:patch', ({ nodeId, changes }) => {
			// The agent sends each node's sample whole before its first patch, on every connection.
			const prev = this.#samples.get(nodeId);
			if (!prev) return;
			const sample = applyJsonPatch(prev as unknown as Json, changes) as unknown as Sample;
			this.#samples.set(nodeId, sample);
			listener.sample(sample);
		});
		socket.on('log:batch', (batch) => listener.log(batch));
		socket.on('audit:entry', (entry) => listener.audit(entry));
		socket.on('sockets:window', (update) => listener.window?.(update));
		socket.on('session:grant', (grant) => {
			// Later reconnections (network blips, restarts) log in with the token, not the password.
			socket.auth = { token: grant.token, samples: SAMPLES_AS_PATCHES };
			listener.grant(grant);
		});
		socket.on('connect_error', (err: Error & { data?: Partial<ConnectRefusal> }) => {
			const refusal = err.data?.code ? problemOf(err.data as ConnectRefusal) : null;
			if (refusal) this.#refuse(refusal);
			else this.#reconnect.retry(listener, UNREACHABLE);
		});
		socket.on('disconnect', (reason) => {
			const message = dropMessage(reason);
			if (message) this.#reconnect.retry(listener, message);
		});
	}

	#refuse(problem: ConnectionProblem): void {
		this.#socket?.disconnect();
		this.#listener?.status('refused', problem);
	}

	retryNow(): void {
		if (!this.#socket || this.#socket.connected) return;
		this.#reconnect.now(this.#listener);
	}

	async query<K extends QueryName>(event: K, input: QueryInput<K>): Promise<QueryResult<K>> {
		return this.#request(event, input) as Promise<QueryResult<K>>;
	}

	async command<K extends CommandName>(
		event: K,
		input: CommandMap[K]['input']
	): Promise<CommandMap[K]['result']> {
		return this.#request(event, input) as Promise<CommandMap[K]['result']>;
	}

	async #request(event: string, input: unknown): Promise<unknown> {
		const socket = this.#socket;
		if (!socket?.connected) throw new RequestError('E_OFFLINE', 'Not connected to the server.');
		let answer: Ack<unknown>;
		try {
			// The event map is keyed by name; the generic caller has already checked the pairing.
			const loose = socket as unknown as Socket;
			answer = await loose.timeout(REQUEST_TIMEOUT).emitWithAck(event, input);
		} catch {
			throw new RequestError('E_TIMEOUT', 'The server did not answer in time.');
		}
		if ('error' in answer)
			throw new RequestError(answer.error.code, answer.error.message, answer.error.retryAfter);
		return answer.data;
	}

	close(): void {
		this.#samples.clear();
		this.#reconnect.cancel();
		this.#socket?.removeAllListeners();
		this.#socket?.disconnect();
		this.#socket = null;
	}
}

function problemOf(refusal: ConnectRefusal): ConnectionProblem {
	switch (refusal.code) {
		case 'E_AUTH_INVALID':
			return AUTH_INVALID;
		case 'E_AUTH_REQUIRED':
			return { kind: 'auth-required', message: 'This server requires a login.' };
		case 'E_AUTH_DISABLED':
			return {
				kind: 'auth-disabled',
				message: 'The server has no way to log in configured. Ask its operator to add users.'
			};
		case 'E_RATE_LIMITED':
			return {
				kind: 'rate-limited',
				message: 'Too many failed logins.',
				retryAfter: refusal.retryAfter
			};
		case 'E_TOKEN_EXPIRED':
		case 'E_TOKEN_INVALID':
			return TOKEN_EXPIRED;
		default:
			return { kind: 'other', message: 'The server refused the connection.' };
	}
}
