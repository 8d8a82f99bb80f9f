/**
 * `sessions:end { user }`: an admin ends every session of a user, say after a leaked token or a
 * dismissal. It takes the same steps as the socket commands (commands/index.ts): validate,
 * authorise, count, write the audit entry, act, acknowledge; a refusal leaves an entry too.
 *
 * Acting has two halves, both cluster-wide: the user's open dashboards are disconnected through
 * the admin namespace's adapter (each dashboard joins its user's room), and every node is told to
 * refuse the tokens granted to that user until now (`serverSideEmit`; this node records it before
 * anything is disconnected, so a dashboard reconnecting here is refused).
 */
import type { Namespace } from 'socket.io';
import type { Affected } from '../../protocol/commands.js';
import type { AdminNamespace } from '../serve/admin-namespace.js';
import type { AuditTrail } from '../audit/index.js';
import type { Authenticator } from '../auth/index.js';
import { AgentError, toAckError } from '../base/errors.js';
import type { Faults } from '../base/faults.js';
import type { Entry, RequestContext } from '../serve/handler-table.js';
import { reachesOtherNodes } from '../observe/seam.js';
import { v } from '../base/schema.js';
import { parse } from '../base/validation.js';

/** The cluster message telling the other nodes whose tokens to refuse. */
const ENDED_EVENT = 'sockscope:sessions-ended';

const schema = v.strictObject({ user: v.string().min(1).max(128) });
const told = v.object({ user: v.string().min(1).max(128), before: v.number() });

/** The room of the admin namespace holding every dashboard of a user. */
const roomOf = (user: string) => `user:${user}`;

export interface SessionsDeps {
	admin: AdminNamespace;
	authenticator: Authenticator;
	trail: AuditTrail;
	faults: Faults;
	nodeId: string;
}

export interface SessionCommands {
	handlers: { 'sessions:end': Entry<'sessions:end'> };
	dispose(): void;
}

export function createSessionCommands(deps: SessionsDeps): SessionCommands {
	const { admin, authenticator, trail, faults, nodeId } = deps;
	// Untyped: the protocol's namespace type knows only the cluster events of cluster.ts.
	const nsp = admin.nsp as unknown as Namespace;

	admin.onJoin((socket, principal) => {
		socket.join(roomOf(principal.name));
	});

	const onEnded = (message: unknown) => {
		const parsed = told.safeParse(message);
		if (!parsed.success) return void faults.record(ENDED_EVENT, new TypeError('malformed message'));
		authenticator.endSessions(parsed.data.user, parsed.data.before);
	};
	nsp.on(ENDED_EVENT, onEnded);

	function tellOtherNodes(user: string, before: number): void {
		if (!reachesOtherNodes(nsp.adapter)) return;
		try {
			// The cluster adapters' promise (they may ask Redis first) is caught; so is a throw.
			const sent = nsp.adapter.serverSideEmit([ENDED_EVENT, { user, before }]) as unknown;
			(sent as Promise<unknown> | undefined)?.then?.(undefined, (err: unknown) =>
				faults.record(ENDED_EVENT, err)
			);
		} catch (err) {
			faults.record(ENDED_EVENT, err);
		}
	}

	function baseOf({ principal, address }: RequestContext) {
		return { t: Date.now(), principal, address, command: 'sessions:end', nodeId };
	}

	async function refused(
		entry: ReturnType<typeof baseOf> & { target: string },
		outcome: 'refused' | 'invalid' | 'failed',
		err: unknown
	): Promise<unknown> {
		await trail.note({ ...entry, outcome, code: toAckError(err).code, affected: 0 });
		return err;
	}

	async function end(ctx: RequestContext, payload: unknown): Promise<Affected> {
		const base = baseOf(ctx);
		let user: string;
		try {
			user = parse(schema, payload).user;
		} catch (err) {
			const aim = (payload as { user?: unknown } | null)?.user;
			throw await refused(
				{ ...base, target: typeof aim === 'string' ? `user ${aim.slice(0, 128)}` : '' },
				'invalid',
				err
			);
		}
		const entry = { ...base, target: `user ${user}` };
		// Ending another user's sessions reaches across namespaces: only an unscoped admin may.
		if (ctx.principal.role !== 'admin' || ctx.principal.namespaces !== undefined) {
			throw await refused(
				entry,
				'refused',
				new AgentError('E_FORBIDDEN', 'only an admin of every namespace can end sessions')
			);
		}
		let ids: string[];
		try {
			ids = (await nsp.in(roomOf(user)).fetchSockets()).map((socket) => socket.id);
		} catch (err) {
			throw await refused(entry, 'failed', err);
		}
		const nodes: Record<string, number> = {};
		for (const id of ids) {
			const node = nsp.sockets.has(id) ? nodeId : 'remote';
			nodes[node] = (nodes[node] ?? 0) + 1;
		}
		await trail.record({ ...entry, outcome: 'ok', affected: ids.length });
		const before = Date.now();
		// Tokens first, then dashboards: one reconnecting here at once is already refused.
		authenticator.endSessions(user, before);
		tellOtherNodes(user, before);
		nsp.in(roomOf(user)).disconnectSockets(true);
		return { sockets: ids.length, nodes };
	}

	return {
		handlers: {
			'sessions:end': {
				answer: end,
				// Nobody would hear the answer, so nothing runs; the trail still says it was tried.
				unacknowledged: (ctx, payload) =>
					refused(
						{ ...baseOf(ctx), target: '' },
						'invalid',
						new AgentError('E_VALIDATION', 'acknowledgement callback missing')
					)
			}
		},
		dispose() {
			nsp.off(ENDED_EVENT, onEnded);
		}
	};
}
