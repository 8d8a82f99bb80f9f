/**
 * Admin commands on the admin namespace. Each takes the same steps, in this order: validate,
 * authorise, find what it would touch, write the audit entry, act, acknowledge. A step that
 * refuses leaves an entry saying why; if the entry cannot be written, the command does not run.
 *
 * In a cluster, finding and acting are tasks that every node carries out on its own sockets
 * (actions.ts; DESIGN.md, decision 11), gathered by this node: the answer says how many sockets
 * each node reached, and which nodes did not answer in time.
 */
import type { Server, Socket } from 'socket.io';
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
import type { Cluster, EveryNode } from '../cluster/index.js';
import { AgentError, toAckError } from '../base/errors.js';
import type { Faults } from '../base/faults.js';
import { canSee } from '../base/scope.js';
import { namespaceField, parse } from '../base/validation.js';
import { commandSpecs, namespaceOf, type CommandSpec } from './actions.js';
import { namespaceNamed } from '../observe/seam.js';
import { Pacer } from './pacer.js';
import { maySocketId, refuseHiddenConnection, refusePrivateRooms, roomTargets } from './targets.js';
import { labelsHere, mergeLabels, type LabelOf } from './labels.js';

export interface CommandDeps {
	io: Server;
	trail: AuditTrail;
	faults: Faults;
	nodeId: string;
	/** Where the commands' tasks run: every node, each on its own sockets. */
	cluster: Pick<Cluster, 'onTask' | 'everyNode'>;
	/** The agent's own namespace, which no command may target. */
	adminNamespace: string;
	/** The namespaces of every socket on the connection of a socket of this node; null if not here. */
	connectionNamespaces(namespace: string, id: string): string[] | null;
	/** Tell kicked and moved clients (`sockscope:kicked`, `sockscope:moved`). */
	notifyClients: boolean;
	/**
	 * This node's sockets about to be kicked, who kicked them and why: kept with their disconnects
	 * (the record of disconnects). Called by the node that holds them, before it disconnects them.
	 */
	onKick?(namespace: string, ids: string[], by: string, reason?: string): void;
	/** A socket's label (the `label` option), kept with the audit entries of commands aimed at it. */
	labelOf?: LabelOf;
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

/** The tasks each node serves for the commands (cluster `everyNode`). */
const FIND_TASK = 'command:find';
const ACT_TASK = 'command:act';

interface FindRequest {
	name: SocketCommandName;
	input: unknown;
	/** Room names the command targets: each node says which are ids of its sockets. */
	rooms: string[];
}
interface Found {
	/** This node's sockets that the command would touch. */
	n: number;
	/** Those of `rooms` that are a socket's id here. */
	own: string[];
	/** Labels of the sockets found (a few of them), for the audit entry. */
	labels?: string[];
}
interface ActRequest {
	name: SocketCommandName;
	input: unknown;
	/** Sockets found over the cluster. */
	total: number;
	/** Who asked: the nodes that kick keep it with the disconnects. */
	by: string;
}

/** Each node's count, those that counted none left out; and the sum. */
function tally(byNode: Record<string, number>): Affected {
	const nodes: Record<string, number> = {};
	let sockets = 0;
	for (const [node, n] of Object.entries(byNode)) {
		if (!(n > 0)) continue;
		nodes[node] = n;
		sockets += n;
	}
	return { sockets, nodes };
}

/** Nodes that did not answer, or answered with an error, sorted; absent when none. */
function unreached(result: Pick<EveryNode<unknown>, 'missing' | 'errors'>): { missing?: string[] } {
	const missing = [...new Set([...result.missing, ...Object.keys(result.errors)])].sort();
	return missing.length ? { missing } : {};
}

/** The commands whose answer, in the protocol, is what a plan counts (`Affected`). */
type AnsweredByPlan = {
	[K in SocketCommandName]: Affected extends RequestResult<K> ? K : never;
}[SocketCommandName];
/** Every command, as long as each answers `Affected`: this stops compiling when one does not. */
const PLANNED: readonly AnsweredByPlan[] = COMMAND_EVENTS;

export function createCommands(deps: CommandDeps): Commands {
	const { io, trail, nodeId, adminNamespace } = deps;
	const pacer = new Pacer(deps.faults);
	const specs = commandSpecs(pacer, deps.notifyClients);

	/** A command's spec and its input, validated again here: the asking node may be another version. */
	function specOf(name: unknown, payload: unknown) {
		if (typeof name !== 'string' || !Object.hasOwn(specs, name))
			throw new Error(`no command ${String(name)}`);
		const spec = specs[name as SocketCommandName] as CommandSpec<{ namespace: string }>;
		return { spec, input: parse(spec.schema, payload) };
	}
	/** This node's part of finding a command's targets; none when the namespace is not here. */
	function findHere(request: FindRequest): Found {
		const { spec, input } = specOf(request?.name, request?.input);
		const nsp = namespaceNamed(io, input.namespace);
		if (!nsp) return { n: 0, own: [] };
		const rooms = Array.isArray(request.rooms) ? request.rooms.slice(0, 2) : [];
		const sockets = spec.find(nsp, input);
		return {
			n: sockets.length,
			own: rooms.filter((room) => typeof room === 'string' && nsp.sockets.has(room)),
			labels: aimsAtNamespace(request.name, input) ? [] : labelled(sockets)
		};
	}
	function labelled(sockets: Socket[]): string[] {
		if (!deps.labelOf || sockets.length === 0) return [];
		try {
			return labelsHere(sockets, deps.labelOf);
		} catch (err) {
			// An entry without its labels still records the command; it is no reason to refuse it.
			deps.faults.record('audit labels', err);
			return [];
		}
	}
	function actHere(request: ActRequest): number {
		const { spec, input } = specOf(request?.name, request?.input);
		const nsp = namespaceNamed(io, input.namespace);
		if (!nsp) return 0;
		if (KICKS.has(request.name) && deps.onKick) {
			try {
				const ids = spec.find(nsp, input).map((s) => s.id);
				const by = typeof request.by === 'string' ? request.by : 'unknown';
				deps.onKick(input.namespace, ids, by, reasonOf(input).reason);
			} catch (err) {
				// The record missing a kick's reason is no reason not to kick.
				deps.faults.record('kick note', err);
			}
		}
		return spec.act(nsp, input, Number(request.total) || 0);
	}
	const untask = [
		deps.cluster.onTask(FIND_TASK, (request) => findHere(request as FindRequest)),
		deps.cluster.onTask(ACT_TASK, (request) => actHere(request as ActRequest))
	];

	/**
	 * Every node's part of a command's targets. A socket lives on one node: found here, the other
	 * nodes are asked only whether a room it targets is one of their sockets' ids.
	 */
	async function find(
		name: SocketCommandName,
		spec: CommandSpec<{ namespace: string }>,
		input: { namespace: string },
		rooms: string[]
	): Promise<{
		byNode: Record<string, number>;
		own: Set<string>;
		labels: string[];
		unreached: { missing?: string[] };
	}> {
		// The find round needs no payload: an emit's arguments stay here until it acts.
		const slim = name === 'emit:send' ? { ...input, args: [] } : input;
		const request: FindRequest = { name, input: slim, rooms };
		const here = findHere(request);
		if (spec.single && here.n > 0 && !rooms.some(maySocketId)) {
			return {
				byNode: { [nodeId]: here.n },
				own: new Set(here.own),
				labels: here.labels ?? [],
				unreached: {}
			};
		}
		const all = await deps.cluster.everyNode<Found>(FIND_TASK, request);
		const byNode: Record<string, number> = {};
		const own = new Set<string>();
		const labels: unknown[] = [];
		for (const [node, found] of Object.entries(all.byNode)) {
			byNode[node] = Number(found?.n) || 0;
			for (const room of Array.isArray(found?.own) ? found.own : []) own.add(String(room));
			labels.push(found?.labels);
		}
		return { byNode, own, labels: mergeLabels(labels), unreached: unreached(all) };
	}

	/** Has the nodes that hold the targets act; what each reached. */
	async function act(
		name: SocketCommandName,
		spec: CommandSpec<{ namespace: string }>,
		input: { namespace: string },
		found: Record<string, number>,
		by: string
	): Promise<Affected> {
		const total = Object.values(found).reduce((sum, n) => sum + n, 0);
		const request: ActRequest = { name, input, total, by };
		// A socket found here is acted on here, without asking the other nodes.
		if (spec.single && (found[nodeId] ?? 0) > 0) return tally({ [nodeId]: actHere(request) });
		const all = await deps.cluster.everyNode<number>(ACT_TASK, request);
		if (Object.keys(all.byNode).length === 0 && Object.keys(all.errors).length > 0) {
			throw new Error(Object.values(all.errors)[0]);
		}
		const byNode: Record<string, number> = {};
		for (const [node, n] of Object.entries(all.byNode)) byNode[node] = Number(n) || 0;
		return { ...tally(byNode), ...unreached(all) };
	}

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
		let entry: Entry = {
			...base,
			namespace: input.namespace,
			target: clip(spec.target(input)),
			...reasonOf(input)
		};
		const fields = input as { namespace: string; id?: string; close?: boolean };
		const rooms = roomTargets(name, fields);
		try {
			authorise(ctx.principal, input.namespace, adminNamespace);
			if (name === 'socket:disconnect' && fields.close && fields.id !== undefined) {
				refuseHiddenConnection(
					ctx.principal,
					input.namespace,
					fields.id,
					deps.connectionNamespaces
				);
			}
			namespaceOf(io, input.namespace);
		} catch (err) {
			throw await refused(entry, 'refused', err);
		}
		let found;
		try {
			found = await find(name, spec, input, rooms);
		} catch (err) {
			throw await refused(entry, 'failed', err);
		}
		if (found.labels.length) entry = { ...entry, labels: found.labels };
		try {
			refusePrivateRooms(rooms, (room) => found.own.has(room));
		} catch (err) {
			throw await refused(entry, 'refused', err);
		}
		const affected = { ...tally(found.byNode), ...found.unreached };
		// A namespace-wide emit reaches whoever is there, none included; every other target must exist.
		if (affected.sockets === 0 && !aimsAtNamespace(name, input)) {
			const what = whatOf(name, input);
			const err = new AgentError(
				'E_NOT_FOUND',
				`no socket in ${what}${affected.missing ? ` (no answer from ${affected.missing.join(', ')})` : ''}`
			);
			throw await refused(entry, 'failed', err);
		}
		await trail.record({ ...entry, outcome: 'ok', affected: affected.sockets });
		if (input.dryRun) return { ...affected, dryRun: true };
		try {
			return await act(name, spec, input, found.byNode, ctx.principal.name);
		} catch (err) {
			// Recorded as done a moment ago; this second entry says it was not.
			throw await refused(entry, 'failed', err);
		}
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
	return {
		handlers: handlers as Pick<HandlerTable, SocketCommandName>,
		dispose: () => {
			for (const undo of untask) undo();
			pacer.stop();
		}
	};
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

/** Whether a command aims at a whole namespace (an emit to neither a socket nor a room). */
function aimsAtNamespace(name: SocketCommandName, input: object): boolean {
	const aim = input as { socket?: string; room?: string };
	return name === 'emit:send' && aim.socket === undefined && aim.room === undefined;
}

/** What an invalid payload seemed to aim at, so the trail says where junk was sent. */
function aimOf(payload: unknown): { namespace?: string; target: string } {
	// Own keys only: a field the dashboard did not send is not read from Object.prototype.
	const field = (key: string): unknown =>
		typeof payload === 'object' && payload !== null && Object.hasOwn(payload, key)
			? (payload as Record<string, unknown>)[key]
			: undefined;
	const namespace = namespaceField.safeParse(field('namespace'));
	const aim = [field('id'), field('socket'), field('room')].find(
		(value) => typeof value === 'string'
	);
	return {
		...(namespace.success ? { namespace: namespace.data } : {}),
		target: typeof aim === 'string' ? clip(aim) : ''
	};
}

/** What a command that found nothing aimed at, for its error. */
function whatOf(name: SocketCommandName, input: object): string {
	const fields = input as { id?: string; socket?: string; room?: string };
	if (fields.id !== undefined) return `socket ${fields.id}`;
	if (name.startsWith('room:')) return `room ${fields.room}`;
	return fields.socket ?? fields.room ?? 'namespace';
}

/** The kick reason, for the trail; the schema has bounded its length. */
function reasonOf(input: object): { reason?: string } {
	const reason = 'reason' in input ? input.reason : undefined;
	return typeof reason === 'string' && reason.trim() ? { reason: reason.trim() } : {};
}

function clip(text: string): string {
	return truncateName(text, MAX_TARGET);
}
