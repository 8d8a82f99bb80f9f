/**
 * One view over every node, through socket.io's own adapter (DESIGN.md, decision 3): samples
 * travel between nodes with `serverSideEmit`, queries fan out with `serverSideEmit` and
 * acknowledgements, and a node that does not answer in time is named, not waited for. With the
 * in-memory adapter there is no other node and none of this runs.
 */
import createDebug from 'debug';
import type { Namespace } from 'socket.io';
import type { ClusterHealth, NodeState, Principal, Sample } from '../protocol/models.js';
import type { Faults } from './guard.js';
import { guardClusterTraffic } from './cluster-guard.js';

const debug = createDebug('sockscope:cluster');

const SAMPLE_EVENT = 'sockscope:sample';
const QUERY_EVENT = 'sockscope:query';
/** A node is stale after this long without a sample, and down after `DOWN_MS`. */
export const STALE_MS = 3000;
export const DOWN_MS = 10_000;

export interface ClusterDeps {
	nsp: Namespace;
	nodeId: string;
	faults: Faults;
	/** How long a fan-out waits for the other nodes. */
	timeout: number;
	/** A sample from another node arrived. */
	onSample(sample: Sample): void;
	/** Answers a query from another node with this node's own part. */
	answer(kind: string, principal: Principal, payload: unknown): unknown;
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
	/** Asks every node, this one included; `local` is this node's answer. */
	fanOut<T>(kind: string, principal: Principal, payload: unknown, local: () => T): Promise<FanOut<T>>;
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
	const onQuery = (request: { kind: string; principal: Principal; payload: unknown }, ack: (answer: unknown) => void) => {
		Promise.resolve()
			.then(() => deps.answer(request.kind, request.principal, request.payload))
			.then(
				(data) => ack({ nodeId, data }),
				(err) => {
					faults.record(`cluster ${request?.kind}`, err);
					ack({ nodeId, error: String((err as Error)?.message ?? err) });
				}
			);
	};
	nsp.on(SAMPLE_EVENT, onSample);
	nsp.on(QUERY_EVENT, onQuery);

	// Forget nodes long gone, so that a cluster whose nodes come and go does not grow this map.
	const sweep = setInterval(() => {
		const now = Date.now();
		for (const [id, r] of remotes) if (now - r.receivedAt > 6 * DOWN_MS) remotes.delete(id);
	}, DOWN_MS);
	sweep.unref();

	function state(r: Remote, now: number): NodeState['state'] {
		const age = now - r.receivedAt;
		return age > DOWN_MS ? 'down' : age > STALE_MS ? 'stale' : 'up';
	}

	return {
		get enabled() {
			return enabled();
		},
		publish(sample) {
			if (!enabled()) return;
			try {
				toOtherNodes([SAMPLE_EVENT, sample]);
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
				{ nodeId, state: 'up', lastSeen: now },
				...[...remotes].map(([id, r]) => ({ nodeId: id, state: state(r, now), lastSeen: r.receivedAt }))
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
				healthy: remotes.size === 0 || now - lastOk <= STALE_MS,
				error: lastError
			};
		},
		fanOut<T>(kind: string, principal: Principal, payload: unknown, local: () => T) {
			const mine = local();
			if (!enabled()) return Promise.resolve({ answers: [mine], missing: [] });
			return new Promise<FanOut<T>>((resolve) => {
				let settled = false;
				const finish = (responses: { nodeId: string; data?: T; error?: string }[]) => {
					if (settled) return;
					settled = true;
					clearTimeout(timer);
					const answered = new Set(responses.map((r) => r.nodeId));
					const now = Date.now();
					const missing = [...remotes]
						.filter(([id, r]) => !answered.has(id) && state(r, now) !== 'down')
						.map(([id]) => id);
					for (const r of responses) if (r.error) missing.push(r.nodeId);
					resolve({
						answers: [mine, ...responses.filter((r) => !r.error && r.data !== undefined).map((r) => r.data as T)],
						missing
					});
				};
				// The adapter has its own timeout (`requestsTimeout`); this one is the agent's promise.
				const timer = setTimeout(() => finish([]), deps.timeout);
				timer.unref();
				try {
					toOtherNodes([
						QUERY_EVENT,
						{ kind, principal, payload },
						(err: Error | null, responses: unknown[]) => {
							if (err) debug('fan-out %s: %s', kind, err.message);
							finish(Array.isArray(responses) ? (responses as { nodeId: string }[]) : []);
						}
					]);
				} catch (err) {
					failed(err);
					finish([]);
				}
			});
		},
		dispose() {
			clearInterval(sweep);
			unguard();
			nsp.off(SAMPLE_EVENT, onSample);
			nsp.off(QUERY_EVENT, onQuery);
		}
	};
}

/**
 * Whether an adapter can talk to other nodes. The in-memory adapter's `serverSideEmit` only warns
 * that it cannot; every cluster adapter overrides it. Found by walking the prototype chain rather
 * than comparing with an imported class, which could be another copy than the host's.
 */
export function reachesOtherNodes(adapter: object): boolean {
	let proto = Object.getPrototypeOf(adapter);
	while (proto && !Object.hasOwn(proto, 'serverSideEmit')) proto = Object.getPrototypeOf(proto);
	const parent = proto && Object.getPrototypeOf(proto);
	return Boolean(parent && 'serverSideEmit' in parent);
}
