/**
 * Admin commands on the admin namespace. Each takes the same steps, in this order: validate,
 * authorise, find what it would touch, write the audit entry, act, acknowledge. A step that
 * refuses leaves an entry saying why; if the entry cannot be written, the command does not run.
 */
import type { Server } from 'socket.io';
import {
	COMMAND_EVENTS,
	type Affected,
	type AuditEntry,
	type CommandName,
	type SocketCommandName
} from '../../protocol/commands.js';
import type { RequestResult } from '../../protocol/events.js';
import type { Principal } from '../../protocol/models.js';
import { truncateName } from '../../protocol/top-n.js';
import type { Entry as TableEntry, HandlerTable, RequestContext } from '../serve/handler-table.js';
import type { AuditTrail } from '../audit/index.js';
import { AgentError, toAckError } from '../base/errors.js';
import type { Faults } from '../base/faults.js';
import { canSee } from '../base/scope.js';
import { namespaceField, parse } from '../base/validation.js';
import { commandSpecs, namespaceOf, type CommandSpec } from './actions.js';
import { Pacer } from './pacer.js';
import { refuseHiddenConnection, refusePrivateRooms, roomTargets } from './targets.js';

export interface CommandDeps {
	io: Server;
	trail: AuditTrail;
	faults: Faults;
	nodeId: string;
	/** The agent's own namespace, which no command may target. */
	adminNamespace: string;
	/** The namespaces of every socket on the connection of a socket of this node; null if not here. */
	connectionNamespaces(namespace: string, id: string): string[] | null;
	/** Tell kicked and moved clients (`sockscope:kicked`, `sockscope:moved`). */
	notifyClients: boolean;
	/**
	 * Sockets about to be kicked, who kicked them and why: kept with their disconnects (the
	 * record of disconnects, on every node). Called before they are disconnected.
	 */
	onKick?(namespace: string, ids: string[], by: string, reason?: string): void;
}

/** The commands that disconnect sockets. */
const KICKS = new Set<SocketCommandName>(['socket:disconnect', 'room:disconnect']);

export interface Commands {
	/** The entries of the handler table, one per command. */
	handlers: Pick<HandlerTable, SocketCommandName>;
	/** Stops what is still running (paced room disconnects). */
	dispose(): void;
}

/** Targets are recorded, not trusted: an `except` list may be long. */
const MAX_TARGET = 1024;

type Entry = Omit<AuditEntry, 'id' | 'outcome' | 'code' | 'affected'>;

/** The commands whose answer, in the protocol, is what a plan counts (`Affected`). */
type AnsweredByPlan = {
	[K in SocketCommandName]: Affected extends RequestResult<K> ? K : never;
}[SocketCommandName];
/** Every command, as long as each answers `Affected`: this stops compiling when one does not. */
const PLANNED: readonly AnsweredByPlan[] = COMMAND_EVENTS;

export function createCommands(deps: CommandDeps): Commands {
	const { io, trail, nodeId, adminNamespace } = deps;
	const pacer = new Pacer(deps.faults);
	const specs = commandSpecs(nodeId, pacer, deps.notifyClients);

	/** Writes the entry of a command that did not run, and hands back the error to answer with. */
	async function refused(
		entry: Entry,
		outcome: AuditEntry['outcome'],
		err: unknown
	): Promise<unknown> {
		await trail.note({ ...entry, outcome, code: toAckError(err).code, affected: 0 });
		return err;
	}

	function baseOf(command: CommandName, { principal, address }: RequestContext) {
		return { t: Date.now(), principal, address, command, nodeId };
	}

	async function execute(
		name: SocketCommandName,
		ctx: RequestContext,
		payload: unknown
	): Promise<Affected> {
		const spec = specs[name] as CommandSpec<{ namespace: string; dryRun?: boolean }>;
		const base = baseOf(name, ctx);
		let input: { namespace: string; dryRun?: boolean };
		try {
			input = parse(spec.schema, payload);
		} catch (err) {
			throw await refused({ ...base, ...aimOf(payload) }, 'invalid', err);
		}
		const entry = {
			...base,
			namespace: input.namespace,
			target: clip(spec.target(input)),
			...reasonOf(input)
		};
		try {
			authorise(ctx.principal, input.namespace, adminNamespace);
			const fields = input as { namespace: string; id?: string; close?: boolean };
			if (name === 'socket:disconnect' && fields.close && fields.id !== undefined) {
				refuseHiddenConnection(ctx.principal, input.namespace, fields.id, deps.connectionNamespaces);
			}
			await refusePrivateRooms(namespaceOf(io, input.namespace), roomTargets(name, fields));
		} catch (err) {
			throw await refused(entry, 'refused', err);
		}
		let plan;
		try {
			plan = await spec.plan(namespaceOf(io, input.namespace), input);
		} catch (err) {
			throw await refused(entry, 'failed', err);
		}
		await trail.record({ ...entry, outcome: 'ok', affected: plan.affected.sockets });
		if (!plan.run) return { ...plan.affected, dryRun: true };
		if (KICKS.has(name) && plan.kicks !== undefined && deps.onKick) {
			try {
				deps.onKick(input.namespace, plan.kicks, ctx.principal.name, reasonOf(input).reason);
			} catch (err) {
				// The record missing a kick's reason is no reason not to kick.
				deps.faults.record('kick note', err);
			}
		}
		try {
			plan.run();
		} catch (err) {
			// Recorded as done a moment ago; this second entry says it was not.
			throw await refused(entry, 'failed', err);
		}
		return plan.affected;
	}

	const handlers = {} as Record<SocketCommandName, TableEntry<SocketCommandName>>;
	for (const name of PLANNED) {
		handlers[name] = {
			answer: (ctx, payload) => execute(name, ctx, payload),
			// Nobody would hear the answer, so nothing runs; the trail still says it was tried.
			unacknowledged: (ctx, payload) =>
				refused(
					{ ...baseOf(name, ctx), ...aimOf(payload) },
					'invalid',
					new AgentError('E_VALIDATION', 'acknowledgement callback missing')
				)
		};
	}
	// Each entry answers `Affected`, its command's result (see PLANNED).
	return { handlers: handlers as Pick<HandlerTable, SocketCommandName>, dispose: () => pacer.stop() };
}

/** Validate → authorise: a read-only or out-of-scope principal learns nothing about the target. */
function authorise(principal: Principal, namespace: string, adminNamespace: string): void {
	if (principal.role !== 'admin') {
		throw new AgentError('E_FORBIDDEN', 'read-only users cannot run commands');
	}
	if (!canSee(principal, namespace)) {
		throw new AgentError('E_FORBIDDEN', `not allowed in namespace ${namespace}`);
	}
	if (namespace === adminNamespace) throw new AgentError('E_ADMIN_NAMESPACE');
}

/** What an invalid payload seemed to aim at, so the trail says where junk was sent. */
function aimOf(payload: unknown): { namespace?: string; target: string } {
	// Own keys only: a field the dashboard did not send is not read from Object.prototype.
	const field = (key: string): unknown =>
		typeof payload === 'object' && payload !== null && Object.hasOwn(payload, key)
			? (payload as Record<string, unknown>)[key]
			: undefined;
	const namespace = namespaceField.safeParse(field('namespace'));
	const aim = [field('id'), field('socket'), field('room')].find((value) => typeof value === 'string');
	return {
		...(namespace.success ? { namespace: namespace.data } : {}),
		target: typeof aim === 'string' ? clip(aim) : ''
	};
}

/** The kick reason, for the trail; the schema has bounded its length. */
function reasonOf(input: object): { reason?: string } {
	const reason = 'reason' in input ? input.reason : undefined;
	return typeof reason === 'string' && reason.trim() ? { reason: reason.trim() } : {};
}

function clip(text: string): string {
	return truncateName(text, MAX_TARGET);
}
