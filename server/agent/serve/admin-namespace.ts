/**
 * The namespace dashboards connect to: it lets in only authenticated dashboards, sends each a
 * snapshot, answers their queries, and delivers one sample per interval, cut to what each
 * principal may see.
 */
import createDebug from 'debug';
import type { Namespace, Server, Socket } from 'socket.io';
import type {
	AgentToDashboardEvents,
	DashboardToAgentEvents,
	RequestName
} from '../../protocol/events.js';
import type { Ack, Principal, Sample, Snapshot } from '../../protocol/models.js';
import type { Authenticator } from '../auth/index.js';
import type { Session } from '../auth/tokens.js';
import type { AdminNsp } from '../cluster/index.js';
import { AgentError, toAckError } from '../base/errors.js';
import type { Faults } from '../base/faults.js';
import type { DashboardSocket, Entry, HandlerTable } from './handler-table.js';
import type { RequestLimits } from './request-limits.js';
import { forgetNamespace } from '../observe/seam.js';
import { createSampleTrimmer } from './sample-stream.js';
import { createPatchStream, type PatchStream } from './sample-patches.js';
import { SAMPLES_AS_PATCHES } from '../../protocol/samples.js';

const debug = createDebug('sockscope:admin');

export interface AdminNamespaceDeps {
	io: Server;
	name: string;
	faults: Faults;
	authenticator: Authenticator;
	/** Cuts a sample to what one principal may see. */
	view(sample: Sample, principal: Principal): Sample;
	/** Called when a dashboard leaves, to drop what it subscribed to. */
	onLeave(socket: DashboardSocket): void;
	/** The gate every request passes, and the count of each user's open dashboards. */
	limits: RequestLimits;
}

export interface AdminNamespace {
	readonly nsp: AdminNsp;
	/**
	 * Answers every request of the protocol through `table`, each through its acknowledgement,
	 * never thrown, and greets each dashboard with its `snapshot` (built for its principal, by
	 * asking the other nodes of a cluster). Dashboards are turned away until this is called.
	 */
	serve(table: HandlerTable, snapshot: (principal: Principal) => Promise<Snapshot>): void;
	/** Calls `listener` with each dashboard that connects, before its snapshot is sent. */
	onJoin(listener: (socket: DashboardSocket, principal: Principal) => void): void;
	/** Delivers a sample to the dashboards connected to this node. */
	deliver(sample: Sample): void;
	/** Number of dashboards connected to this node. */
	readonly dashboards: number;
	dispose(): void;
}

const PRINCIPAL = Symbol('sockscope.principal');
const EXPIRES = Symbol('sockscope.expires');
const SESSION = Symbol('sockscope.session');

type Admitted = DashboardSocket & {
	[PRINCIPAL]?: Principal;
	[EXPIRES]?: number;
	[SESSION]?: Session;
};

export function createAdminNamespace(deps: AdminNamespaceDeps): AdminNamespace {
	const { io, faults, authenticator } = deps;
	// socket.io types `of()` by the server's own event maps; this namespace speaks the protocol's.
	const nsp = io.of(deps.name) as unknown as AdminNsp;
	let served:
		{ table: HandlerTable; snapshot: (principal: Principal) => Promise<Snapshot> } | undefined;
	const joinListeners: ((socket: DashboardSocket, principal: Principal) => void)[] = [];
	/**
	 * Dashboards grouped by what they may see and how they take samples, so that a sample is cut
	 * (and patched) once per group. `patches`: the group's stream, for dashboards that asked for it.
	 */
	const scopes = new Map<
		string,
		{ principal: Principal; room: string; members: number; patches?: PatchStream }
	>();

	nsp.use((socket, next) => {
		authenticator.authenticate(socket).then(
			({ principal, grant, expiresAt, session }) => {
				try {
					deps.limits.admit(principal);
				} catch (err) {
					return refuse(next, err);
				}
				(socket as Admitted)[PRINCIPAL] = principal;
				(socket as Admitted)[EXPIRES] = expiresAt;
				(socket as Admitted)[SESSION] = session;
				if (grant) socket.data = { ...socket.data, sockscopeGrant: grant };
				next();
			},
			(err) => refuse(next, err)
		);
	});

	function refuse(next: (err?: Error) => void, err: unknown): void {
		const { code, message } = toAckError(err);
		const retryAfter = err instanceof AgentError ? err.retryAfter : undefined;
		// socket.io sends `data` to the client with the `connect_error`.
		next(Object.assign(new Error(message), { data: { code, message, retryAfter } }));
	}

	function scopeKey(principal: Principal, patches: boolean): string {
		const seen = principal.namespaces ? JSON.stringify([...principal.namespaces].sort()) : '*';
		return patches ? `${seen}:patches` : seen;
	}

	/**
	 * Ends the open dashboards whose session no longer holds (its user's password, role or
	 * namespaces changed, the user was removed, or an admin ended the user's sessions). Run when
	 * the authenticator says something changed, and on every sample as well, so that a change
	 * that arrives otherwise (another node ending sessions) takes at most one interval. Costs one
	 * map lookup per dashboard of this node.
	 */
	function recheck(): void {
		for (const socket of nsp.sockets.values() as Iterable<Admitted>) {
			const session = socket[SESSION];
			if (session && !authenticator.current(session)) {
				debug('session of %s no longer holds: dashboard %s disconnected', session.name, socket.id);
				socket.disconnect(true);
			}
		}
	}
	authenticator.onChange(recheck);

	const onConnection = (socket: Admitted) => {
		try {
			if (!served) throw new Error('not served yet');
			// Checked when the middleware began; the users may have changed while it waited.
			const session = socket[SESSION];
			if (session && !authenticator.current(session)) {
				socket.disconnect(true);
				return;
			}
			const { table, snapshot } = served;
			const principal = socket[PRINCIPAL]!;
			// Admitted by the middleware, but others of the same user may have connected meanwhile.
			if (!deps.limits.opened(socket, principal)) {
				socket.disconnect(true);
				return;
			}
			const patches = socket.handshake.auth?.samples === SAMPLES_AS_PATCHES;
			const key = scopeKey(principal, patches);
			let scope = scopes.get(key);
			if (!scope) {
				scope = {
					principal: { name: 'scope', role: 'readonly', namespaces: principal.namespaces },
					room: `scope:${key}`,
					members: 0,
					...(patches && { patches: createPatchStream() })
				};
				scopes.set(key, scope);
			}
			scope.members++;
			const group = scope;
			const address = socket.handshake.address;
			// Requests are dispatched by name from the table; their types were checked where it was built.
			const requests = socket as unknown as Socket;
			for (const [event, entry] of Object.entries(table) as [RequestName, Entry<RequestName>][]) {
				const { answer, unacknowledged } = entry;
				requests.on(event, (payload: unknown, ack?: unknown) => {
					if (typeof ack !== 'function') {
						debug('%s without acknowledgement from %s: ignored', event, address);
						if (unacknowledged) {
							Promise.resolve()
								.then(() => unacknowledged({ socket, principal, address }, payload))
								.catch((err) => faults.record(`${event} unacknowledged`, err));
						}
						return;
					}
					const reply = ack as (answer: Ack<unknown>) => void;
					Promise.resolve()
						.then(() => answer({ socket, principal, address }, payload))
						.then(
							(data) => reply({ data }),
							(err) => {
								if (!(err instanceof AgentError)) faults.record(event, err);
								reply({ error: toAckError(err) });
							}
						)
						.catch((err) => faults.record(`${event} ack`, err));
				});
			}
			let stopExpiry = () => {};
			socket.on('disconnect', () => {
				stopExpiry();
				deps.limits.closed(socket);
				scope.members--;
				if (scope.members === 0) scopes.delete(key);
				deps.onLeave(socket);
			});
			stopExpiry = endAtExpiry(socket, socket[EXPIRES]);
			for (const listener of joinListeners) listener(socket, principal);
			const grant = socket.data?.sockscopeGrant;
			if (grant) socket.emit('session:grant', grant);
			// Samples follow the snapshot: the dashboard joins its group's stream once the snapshot
			// is sent (it is built on a turn of its own, and a sample may be taken meanwhile).
			snapshot(principal).then(
				(snapshot) => {
					if (!socket.connected) return;
					socket.emit('state:snapshot', snapshot);
					socket.join(group.room);
					// It holds no sample yet: the group's next sample of each node goes whole, to all of it.
					group.patches?.restart();
				},
				(err) => {
					faults.record('snapshot', err);
					socket.disconnect(true);
				}
			);
		} catch (err) {
			faults.record('dashboard connection', err);
			socket.disconnect(true);
		}
	};
	nsp.on('connection', onConnection);
	const trim = createSampleTrimmer();

	return {
		nsp,
		serve(table, snapshot) {
			served = { table: deps.limits.limitTable(table), snapshot };
		},
		onJoin(listener) {
			joinListeners.push(listener);
		},
		deliver(taken) {
			try {
				recheck();
			} catch (err) {
				faults.record('sessions check', err);
			}
			const sample = trim(taken);
			for (const { principal, room, patches } of scopes.values()) {
				// `.local`: each node delivers samples to its own dashboards; clusters relay them between nodes.
				const to = nsp.local.to(room);
				if (!patches) {
					to.emit('stats:sample', deps.view(sample, principal));
					continue;
				}
				// Patches carry unchanged examples as nothing at all: the untrimmed sample is patched.
				const streamed = patches.next(deps.view(taken, principal));
				if ('whole' in streamed) to.emit('stats:sample', streamed.whole);
				else to.emit('stats:patch', streamed.patch);
			}
		},
		get dashboards() {
			return nsp.sockets.size;
		},
		dispose() {
			nsp.off('connection', onConnection);
			// This node's dashboards only: through a cluster adapter, `disconnectSockets` reaches every
			// node, and one node's agent closing would end the dashboards of all the others.
			nsp.local.disconnectSockets(true);
			nsp.removeAllListeners();
			forgetNamespace(io, nsp as unknown as Namespace, (err) =>
				faults.record('closing the admin namespace', err)
			);
		}
	};
}

/** setTimeout's longest delay; a session may last longer (up to 30 days). */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * Disconnects a dashboard when its session expires, so that an open dashboard does not outlive
 * its token; returns what cancels it. Sessions from the host's hook have no expiry of the agent's.
 */
function endAtExpiry(socket: DashboardSocket, expiresAt: number | undefined): () => void {
	if (expiresAt === undefined) return () => {};
	let timer: NodeJS.Timeout;
	const arm = () => {
		const left = expiresAt - Date.now();
		if (left <= 0) return void socket.disconnect(true);
		timer = setTimeout(arm, Math.min(left, MAX_DELAY));
		// A dashboard's session must never keep the host's process alive.
		timer.unref();
	};
	arm();
	return () => clearTimeout(timer);
}
