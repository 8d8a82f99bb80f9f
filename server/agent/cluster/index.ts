/**
 * One view over every node, through socket.io's own adapter (DESIGN.md, decision 3): samples
 * travel between nodes with `serverSideEmit`, queries fan out with `serverSideEmit` and
 * acknowledgements, and a node that does not answer in time is named, not waited for. With the
 * in-memory adapter there is no other node and none of this runs.
 */
import createDebug from 'debug';
import type { Namespace } from 'socket.io';
import type {
	AgentToDashboardEvents,
	DashboardToAgentEvents,
	QueryName,
	RequestInput
} from '../../protocol/events.js';
import type {
	ClusterHealth,
	DisconnectEntry,
	History,
	NamespaceSummary,
	NamespacesPage,
	NodeState,
	Page,
	Principal,
	RoomHistory,
	RoomRow,
	Sample,
	SocketDetails,
	SocketRow
} from '../../protocol/models.js';
import { DOWN_AFTER_MS, STALE_AFTER_MS, livenessOf } from '../../protocol/vocabulary.js';
import type { Faults } from '../base/faults.js';
import { guardClusterTraffic } from './guard.js';
import { reachesOtherNodes } from '../observe/seam.js';
import { createRelayDecoder, createRelayEncoder, type RelayFrame } from './sample-relay.js';
import { packAnswer, unpackAnswer } from './packed-answers.js';
import { toRoomTuples, type RoomTuples } from './room-answers.js';
import {
	REPLY_EVENT,
	createGatherer,
	type AddressedReply,
	type NodeReply,
	type ReplyTo
} from './gather.js';
import type { DisconnectPatternsPart } from '../observe/disconnects.js';

const debug = createDebug('sockscope:cluster');

/** A whole sample, as nodes of earlier versions send it: still read during a rolling upgrade. */
const SAMPLE_EVENT = 'sockscope:sample';
/** A sample compressed against the previous one (sample-relay.ts). */
const FRAME_EVENT = 'sockscope:frame';
/** A node asks another for a keyframe: `{ n: nodeId }`. */
const KEYFRAME_EVENT = 'sockscope:keyframe';
const QUERY_EVENT = 'sockscope:query';
/** A task that every node carries out on its own sockets (`everyNode`): the admin commands. */
const TASK_EVENT = 'sockscope:task';
/** A node asks a peer for a keyframe at most this often, however many frames it cannot read. */
const KEYFRAME_ASK_MS = 2000;

/**
 * What each node answers for its own part of a query that fans out, keyed by the protocol's name
 * of that query: the merge turns these into the query's answer.
 */
export interface NodeAnswers {
	'sockets:query': Page<SocketRow>;
	'socket:details': SocketDetails | null;
	/**
	 * Unpaged: a room's size is summed across nodes before paging. As tuples to a node that asks
	 * for compact answers (room-answers.ts); this node's own, and older nodes', as rows.
	 */
	'rooms:query': RoomRow[] | RoomTuples;
	/** A page; a node of an earlier version answers every namespace it has. */
	'namespaces:query': NamespacesPage | NamespaceSummary[];
	'history:query': History;
	'room:history': RoomHistory;
	'disconnects:query': Page<DisconnectEntry>;
	'disconnects:patterns': DisconnectPatternsPart;
}

export type FannedOut = keyof NodeAnswers & QueryName;

/** This node's part of each query that fans out. */
export type LocalAnswers = {
	[K in FannedOut]: (
		principal: Principal,
		input: RequestInput<K>
	) => NodeAnswers[K] | Promise<NodeAnswers[K]>;
};

interface NodeQuery {
	name: FannedOut;
	principal: Principal;
	input: unknown;
	/** The asking node reads deflated answers (packed-answers.ts); older nodes do not ask so. */
	packed?: true;
	/** The asking node reads rooms as tuples (room-answers.ts); older nodes do not ask so. */
	compact?: true;
	/** Where to send the answer (gather.ts); older nodes do not ask so, and read acknowledgements. */
	r?: ReplyTo;
}

interface NodeTaskRequest {
	kind: string;
	input: unknown;
	r?: ReplyTo;
}

/** Events between the nodes of a cluster, on the admin namespace. */
export interface ClusterEvents {
	[SAMPLE_EVENT]: (sample: Sample) => void;
	[FRAME_EVENT]: (frame: RelayFrame) => void;
	[KEYFRAME_EVENT]: (request: { n: string }) => void;
	[QUERY_EVENT]: (request: NodeQuery, ack: (reply: NodeReply) => void) => void;
	[TASK_EVENT]: (request: NodeTaskRequest, ack: (reply: NodeReply) => void) => void;
	[REPLY_EVENT]: (reply: AddressedReply) => void;
}

/**
 * The admin namespace, typed by the protocol: dashboards' requests in, their events out, and the
 * nodes' own events between them. Declared here, where the node-to-node events are, so that the
 * cluster needs nothing from the dashboards' side.
 */
export type AdminNsp = Namespace<DashboardToAgentEvents, AgentToDashboardEvents, ClusterEvents>;

export interface ClusterDeps {
	nsp: AdminNsp;
	nodeId: string;
	faults: Faults;
	/** How long a fan-out waits for the other nodes. */
	timeout: number;
	/** A sample from another node arrived. */
	onSample(sample: Sample): void;
	/** This node's own part of each query, for itself and for the other nodes. */
	answers: LocalAnswers;
}

export interface FanOut<T> {
	/** One answer per node that answered, this node's first. */
	answers: T[];
	/** Nodes believed alive that did not answer in time. */
	missing: string[];
}

/** What one node did or found for a task, by node id, and the nodes that did not say in time. */
export interface EveryNode<T> {
	byNode: Record<string, T>;
	missing: string[];
	/** Nodes that answered with an error, and the error. */
	errors: Record<string, string>;
}

/** A node's own part of a task: it acts on this node's sockets only. Thrown errors are answered. */
export type NodeTask = (input: unknown) => unknown;

interface Remote {
	sample: Sample;
	receivedAt: number;
}

export interface Cluster {
	/** Whether the adapter reaches other nodes (false with the in-memory adapter). */
	readonly enabled: boolean;
	/** Sends this node's sample to the other nodes. */
	publish(sample: Sample): void;
	/** The latest sample of every other node that is not down. */
	remoteSamples(): Sample[];
	/** Every node heard from, with its liveness. */
	nodes(): NodeState[];
	health(): ClusterHealth | undefined;
	/** Asks every node, this one included, for its part of a query. */
	fanOut<K extends FannedOut>(
		name: K,
		principal: Principal,
		input: RequestInput<K>
	): Promise<FanOut<NodeAnswers[K]>>;
	/** Serves a kind of task on this node, for this node and the others; returns the undo. */
	onTask(kind: string, task: NodeTask): () => void;
	/**
	 * Has every node, this one included, carry out a task on its own sockets, and gathers what
	 * each did. The input and each answer travel as JSON: keep them small.
	 */
	everyNode<T>(kind: string, input: unknown): Promise<EveryNode<T>>;
	/** The same, asked of the other nodes only (this node's part is the caller's). */
	otherNodes<T>(kind: string, input: unknown): Promise<EveryNode<T>>;
	dispose(): void;
}

export function createCluster(deps: ClusterDeps): Cluster {
	const { nsp, nodeId, faults } = deps;
	const remotes = new Map<string, Remote>();
	let lastError: string | undefined;
	let lastOk = 0;

	const enabled = () => reachesOtherNodes(nsp.adapter);
	const failed = (err: unknown) => {
		lastError = String((err as Error)?.message ?? err);
		debug('cluster message failed: %s', lastError);
	};
	const unguard = guardClusterTraffic(nsp.adapter, failed);
	// The adapter's own `serverSideEmit`, whose promise (the cluster adapters' is async: it may
	// first ask Redis how many nodes there are) is caught here; the namespace's drops it.
	const toOtherNodes = (packet: unknown[]) => {
		const sent = nsp.adapter.serverSideEmit(packet) as unknown;
		(sent as Promise<unknown> | undefined)?.then?.(undefined, failed);
	};

	const gatherer = createGatherer({
		nodeId,
		timeout: deps.timeout,
		// Nodes whose samples stopped long enough ago to be down are not waited for; stale ones are.
		live: () => {
			const now = Date.now();
			return [...remotes].filter(([, r]) => state(r, now) !== 'down').map(([id]) => id);
		},
		// Remembered for a while after their last sample (see the sweep), then forgotten.
		down: () => {
			const now = Date.now();
			return [...remotes].filter(([, r]) => state(r, now) === 'down').map(([id]) => id);
		},
		send: toOtherNodes,
		failed
	});
	const tasks = new Map<string, NodeTask>();

	const encoder = createRelayEncoder(nodeId);
	const decoder = createRelayDecoder();
	const askedAt = new Map<string, number>();

	const onFrame = (frame: RelayFrame) => {
		try {
			if (frame?.n === nodeId) return;
			const decoded = decoder.decode(frame);
			if ('sample' in decoded) return onSample(decoded.sample);
			const now = Date.now();
			if (now - (askedAt.get(frame.n) ?? 0) < KEYFRAME_ASK_MS) return;
			askedAt.set(frame.n, now);
			toOtherNodes([KEYFRAME_EVENT, { n: frame.n }]);
		} catch (err) {
			faults.record('cluster sample', err);
		}
	};
	const onKeyframeWanted = (request: { n: string }) => {
		if (request?.n === nodeId) encoder.sendKeyframe();
	};
	const onSample = (sample: Sample) => {
		try {
			if (sample?.nodeId === undefined || sample.nodeId === nodeId) return;
			remotes.set(sample.nodeId, { sample, receivedAt: Date.now() });
			lastOk = Date.now();
			deps.onSample(sample);
		} catch (err) {
			faults.record('cluster sample', err);
		}
	};
	const answer = <K extends FannedOut>(name: K, principal: Principal, input: RequestInput<K>) => {
		if (!Object.hasOwn(deps.answers, name)) throw new Error(`no query ${String(name)}`);
		return deps.answers[name](principal, input);
	};
	const readFailed = (err: unknown) => {
		faults.record('cluster answer', err);
		return undefined;
	};
	const onQuery = (request: NodeQuery, ack: (reply: NodeReply) => void) => {
		Promise.resolve()
			.then(() => answer(request.name, request.principal, request.input as never))
			.then((data) =>
				// Only this node's rows are answered here: an array, never tuples already.
				request.compact && request.name === 'rooms:query'
					? toRoomTuples(nodeId, data as RoomRow[])
					: data
			)
			.then((data) => (request.packed ? packAnswer(data) : { data }))
			.then(
				(packed) => gatherer.answer(request, ack, { nodeId, ...packed }),
				(err) => {
					faults.record(`cluster ${request?.name}`, err);
					gatherer.answer(request, ack, { nodeId, error: String((err as Error)?.message ?? err) });
				}
			)
			.catch((err) => faults.record('cluster answer', err));
	};
	const runTask = (kind: unknown, input: unknown): Promise<unknown> =>
		Promise.resolve().then(() => {
			const task = typeof kind === 'string' ? tasks.get(kind) : undefined;
			if (!task) throw new Error(`no task ${String(kind)}`);
			return task(input);
		});
	const onTask = (request: NodeTaskRequest, ack: (reply: NodeReply) => void) => {
		runTask(request?.kind, request?.input)
			.then(
				(data) => gatherer.answer(request, ack, { nodeId, data }),
				(err) => {
					faults.record(`cluster task ${String(request?.kind)}`, err);
					gatherer.answer(request, ack, { nodeId, error: String((err as Error)?.message ?? err) });
				}
			)
			.catch((err) => faults.record('cluster task', err));
	};
	const onReply = (reply: AddressedReply) => {
		try {
			gatherer.onReply(reply);
		} catch (err) {
			faults.record('cluster reply', err);
		}
	};
	nsp.on(SAMPLE_EVENT, onSample);
	nsp.on(FRAME_EVENT, onFrame);
	nsp.on(KEYFRAME_EVENT, onKeyframeWanted);
	nsp.on(QUERY_EVENT, onQuery);
	nsp.on(TASK_EVENT, onTask);
	nsp.on(REPLY_EVENT, onReply);

	// Forget nodes long gone, so that a cluster whose nodes come and go does not grow this map.
	const sweep = setInterval(() => {
		const now = Date.now();
		for (const [id, r] of remotes) {
			if (now - r.receivedAt <= 6 * DOWN_AFTER_MS) continue;
			remotes.delete(id);
			decoder.forget(id);
		}
		for (const [id, at] of askedAt) if (now - at > 6 * DOWN_AFTER_MS) askedAt.delete(id);
	}, DOWN_AFTER_MS);
	sweep.unref();

	function state(r: Remote, now: number): NodeState['state'] {
		return livenessOf(now - r.receivedAt);
	}

	/** The other nodes' parts of a query: those that answered in time, and those believed alive that did not. */
	async function askOthers<K extends FannedOut>(
		name: K,
		principal: Principal,
		input: RequestInput<K>
	): Promise<FanOut<NodeAnswers[K]>> {
		const { replies, missing } = await gatherer.ask(QUERY_EVENT, {
			name,
			principal,
			input,
			packed: true,
			compact: true
		} satisfies NodeQuery);
		// Small answers inflate at once; large ones side by side on the thread pool.
		const unpacked = await Promise.all(
			replies.map((r) => (r.error ? undefined : unpackAnswer(r).catch(readFailed)))
		);
		const answers: NodeAnswers[K][] = [];
		replies.forEach((r, i) => {
			if (unpacked[i] !== undefined) answers.push(unpacked[i] as NodeAnswers[K]);
			else if (r.error || r.z !== undefined) missing.push(r.nodeId);
		});
		return { answers, missing };
	}

	function askTask(kind: string, input: unknown) {
		return enabled()
			? gatherer.ask(TASK_EVENT, { kind, input } satisfies NodeTaskRequest)
			: Promise.resolve({ replies: [], missing: [] });
	}

	return {
		get enabled() {
			return enabled();
		},
		publish(sample) {
			if (!enabled()) return;
			try {
				toOtherNodes([FRAME_EVENT, encoder.encode(sample)]);
			} catch (err) {
				failed(err);
			}
		},
		remoteSamples() {
			const now = Date.now();
			return [...remotes.values()].filter((r) => state(r, now) !== 'down').map((r) => r.sample);
		},
		nodes() {
			const now = Date.now();
			return [
				{ nodeId, state: 'up' },
				// No time last seen: it would change every second, and so every sample's patch.
				...[...remotes].map(([id, r]) => ({ nodeId: id, state: state(r, now) }))
			];
		},
		health() {
			if (!enabled()) return undefined;
			const now = Date.now();
			const peers = [...remotes.values()].filter((r) => state(r, now) !== 'down').length;
			return {
				adapter: nsp.adapter.constructor.name,
				nodes: peers + 1,
				peers: this.nodes().slice(1),
				// Other nodes' samples are the heartbeat: none for a while while some were known means
				// the adapter's transport (Redis) is not getting through.
				healthy: remotes.size === 0 || now - lastOk <= STALE_AFTER_MS,
				error: lastError
			};
		},
		fanOut<K extends FannedOut>(name: K, principal: Principal, input: RequestInput<K>) {
			// This node's part may be read in turns (a promise).
			if (!enabled())
				return Promise.resolve()
					.then(() => answer(name, principal, input))
					.then((own) => ({ answers: [own], missing: [] }));
			// The other nodes are asked first, and this node works out its own part on a later turn of
			// the event loop: the Redis clients write what they are given at the end of the turn (on
			// `setImmediate`), so the request has left, and the other nodes work on their parts meanwhile.
			const others = askOthers(name, principal, input);
			const mine = new Promise((resolve) => setImmediate(resolve)).then(() =>
				answer(name, principal, input)
			);
			return Promise.all([mine, others]).then(([own, { answers, missing }]) => ({
				answers: [own, ...answers],
				missing
			}));
		},
		onTask(kind, task) {
			tasks.set(kind, task);
			return () => {
				if (tasks.get(kind) === task) tasks.delete(kind);
			};
		},
		async everyNode<T>(kind: string, input: unknown): Promise<EveryNode<T>> {
			// Asked first, so that the other nodes act while this one does (see fanOut).
			const others = askTask(kind, input);
			const own: NodeReply = await runTask(kind, input).then(
				(data) => ({ nodeId, data }),
				(err) => ({ nodeId, error: String((err as Error)?.message ?? err) })
			);
			const { replies, missing } = await others;
			return byNode<T>([own, ...replies], missing);
		},
		async otherNodes<T>(kind: string, input: unknown): Promise<EveryNode<T>> {
			const { replies, missing } = await askTask(kind, input);
			return byNode<T>(replies, missing);
		},
		dispose() {
			clearInterval(sweep);
			unguard();
			nsp.off(SAMPLE_EVENT, onSample);
			nsp.off(FRAME_EVENT, onFrame);
			nsp.off(KEYFRAME_EVENT, onKeyframeWanted);
			nsp.off(QUERY_EVENT, onQuery);
			nsp.off(TASK_EVENT, onTask);
			nsp.off(REPLY_EVENT, onReply);
			gatherer.dispose();
		}
	};
}

function byNode<T>(replies: NodeReply[], missing: string[]): EveryNode<T> {
	const result: EveryNode<T> = { byNode: {}, missing, errors: {} };
	for (const r of replies) {
		if (r.error !== undefined) result.errors[r.nodeId] = r.error;
		else result.byNode[r.nodeId] = r.data as T;
	}
	return result;
}
