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
import type { DisconnectPatternsPart } from '../observe/disconnects.js';

const debug = createDebug('sockscope:cluster');

/** A whole sample, as nodes of earlier versions send it: still read during a rolling upgrade. */
const SAMPLE_EVENT = 'sockscope:sample';
/** A sample compressed against the previous one (sample-relay.ts). */
const FRAME_EVENT = 'sockscope:frame';
/** A node asks another for a keyframe: `{ n: nodeId }`. */
const KEYFRAME_EVENT = 'sockscope:keyframe';
const QUERY_EVENT = 'sockscope:query';
/**
 * A dashboard kicked sockets: every node keeps who and why with their disconnects (the node that
 * holds a socket may not be the one the command reached).
 */
const KICK_NOTE_EVENT = 'sockscope:kick-note';

/** Who kicked which sockets of a namespace, and why. */
export interface KickNote {
	namespace: string;
	ids: string[];
	by: string;
	reason?: string;
}
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
	'namespaces:query': NamespaceSummary[];
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
}

type NodeReply = { nodeId: string; data?: unknown; z?: string; error?: string };

/** Events between the nodes of a cluster, on the admin namespace. */
export interface ClusterEvents {
	[SAMPLE_EVENT]: (sample: Sample) => void;
	[FRAME_EVENT]: (frame: RelayFrame) => void;
	[KEYFRAME_EVENT]: (request: { n: string }) => void;
	[QUERY_EVENT]: (request: NodeQuery, ack: (reply: NodeReply) => void) => void;
	[KICK_NOTE_EVENT]: (note: KickNote) => void;
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
	/** Another node's dashboard kicked sockets (`noteKick`). */
	onKickNote?(note: KickNote): void;
}

export interface FanOut<T> {
	/** One answer per node that answered, this node's first. */
	answers: T[];
	/** Nodes believed alive that did not answer in time. */
	missing: string[];
}

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
	/** Tells the other nodes who kicked which sockets (see `KICK_NOTE_EVENT`). */
	noteKick(note: KickNote): void;
	/** Asks every node, this one included, for its part of a query. */
	fanOut<K extends FannedOut>(
		name: K,
		principal: Principal,
		input: RequestInput<K>
	): Promise<FanOut<NodeAnswers[K]>>;
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
				(packed) => ack({ nodeId, ...packed }),
				(err) => {
					faults.record(`cluster ${request?.name}`, err);
					ack({ nodeId, error: String((err as Error)?.message ?? err) });
				}
			);
	};
	nsp.on(SAMPLE_EVENT, onSample);
	nsp.on(FRAME_EVENT, onFrame);
	nsp.on(KEYFRAME_EVENT, onKeyframeWanted);
	nsp.on(QUERY_EVENT, onQuery);
	const onKickNote = (note: KickNote) => {
		try {
			if (typeof note?.namespace !== 'string' || !Array.isArray(note.ids) || typeof note.by !== 'string') {
				return;
			}
			deps.onKickNote?.(note);
		} catch (err) {
			faults.record('cluster kick note', err);
		}
	};
	nsp.on(KICK_NOTE_EVENT, onKickNote);

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
	function askOthers<K extends FannedOut>(
		name: K,
		principal: Principal,
		input: RequestInput<K>
	): Promise<FanOut<NodeAnswers[K]>> {
		return new Promise((resolve) => {
			let settled = false;
			const finish = async (responses: NodeReply[]) => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				const answered = new Set(responses.map((r) => r.nodeId));
				const now = Date.now();
				const missing = [...remotes]
					.filter(([id, r]) => !answered.has(id) && state(r, now) !== 'down')
					.map(([id]) => id);
				// Small answers inflate at once; large ones side by side on the thread pool.
				const unpacked = await Promise.all(
					responses.map((r) => (r.error ? undefined : unpackAnswer(r).catch(readFailed)))
				);
				const answers: NodeAnswers[K][] = [];
				responses.forEach((r, i) => {
					if (unpacked[i] !== undefined) answers.push(unpacked[i] as NodeAnswers[K]);
					else if (r.error || r.z !== undefined) missing.push(r.nodeId);
				});
				resolve({ answers, missing });
			};
			// The adapter has its own timeout (`requestsTimeout`); this one is the agent's promise.
			const timer = setTimeout(() => void finish([]), deps.timeout);
			timer.unref();
			try {
				toOtherNodes([
					QUERY_EVENT,
					{ name, principal, input, packed: true, compact: true },
					(err: Error | null, responses: NodeReply[]) => {
						if (err) debug('fan-out %s: %s', name, err.message);
						void finish(Array.isArray(responses) ? responses.filter(isReply) : []);
					}
				]);
			} catch (err) {
				failed(err);
				void finish([]);
			}
		});
	}

	return {
		get enabled() {
			return enabled();
		},
		noteKick(note) {
			if (!enabled()) return;
			try {
				toOtherNodes([KICK_NOTE_EVENT, note]);
			} catch (err) {
				failed(err);
			}
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
		dispose() {
			clearInterval(sweep);
			unguard();
			nsp.off(SAMPLE_EVENT, onSample);
			nsp.off(FRAME_EVENT, onFrame);
			nsp.off(KEYFRAME_EVENT, onKeyframeWanted);
			nsp.off(QUERY_EVENT, onQuery);
			nsp.off(KICK_NOTE_EVENT, onKickNote);
		}
	};
}

function isReply(r: unknown): r is NodeReply {
	return typeof (r as NodeReply)?.nodeId === 'string';
}
