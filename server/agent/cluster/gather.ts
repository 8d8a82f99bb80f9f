/**
 * The other nodes' answers to a request, kept one by one as they arrive (DESIGN.md, decision 3:
 * no assumption about an adapter's timeouts).
 *
 * An adapter hands back `serverSideEmit` acknowledgements all at once: when every node it believes
 * alive has answered, or at its own timeout. The Postgres adapter keeps a dead node in its
 * heartbeat map for 10–15 s and waits a fixed 5 s for it; the Redis adapters learn of a kill a
 * moment late. Whenever the agent's own timeout came first, the answers of the live nodes were lost
 * with the dead one's. So each node sends its answer as a server-side emit of its own, addressed to
 * the node that asked, and acknowledges only that it did: the asking node keeps each answer as it
 * comes, knows which node it came from, and at its timeout names only the nodes still awaited.
 *
 * Nodes of earlier versions ignore the address and answer in the acknowledgement, which is read as
 * before (all at once); newer nodes still acknowledge, since an earlier asker waits for it.
 */
import createDebug from 'debug';

const debug = createDebug('sockscope:cluster');

/** A node's answer to another node's request, addressed to it (`to`, `q`). */
export const REPLY_EVENT = 'sockscope:reply';

/** One node's answer: its data as it is or deflated (packed-answers.ts), or why it has none. */
export type NodeReply = { nodeId: string; data?: unknown; z?: string; error?: string };

/** Where an answer goes: the asking node and its number for the request. */
export interface ReplyTo {
	n: string;
	q: number;
}

/** A reply on its way to the node that asked. */
export type AddressedReply = NodeReply & { to: string; q: number };

/** What a node that answered by server-side emit acknowledges. */
type Sent = { nodeId: string; sent: true };

export interface Gathered {
	/** One answer per node that answered in time, in the order they came. */
	replies: NodeReply[];
	/**
	 * Nodes believed alive, or that said they answered, whose answer did not come in time; and
	 * nodes known but down (a node gone, or all of them while the adapter's link is down), which
	 * are not waited for but whose part is missing all the same.
	 */
	missing: string[];
}

export interface GatherDeps {
	nodeId: string;
	/** How long a request waits for the other nodes. */
	timeout: number;
	/** The other nodes believed alive (heard from recently): the answers worth waiting for. */
	live(): string[];
	/** Nodes known but down (no sample for a while): not waited for, but named if they do not answer. */
	down(): string[];
	/** Sends a server-side emit to the other nodes (the adapter's promise already caught). */
	send(packet: unknown[]): void;
	failed(err: unknown): void;
}

export interface Gatherer {
	/** Asks every other node; resolves with what came before the timeout, or sooner once all did. */
	ask(event: string, request: object): Promise<Gathered>;
	/** A reply from another node arrived (only those addressed to this node count). */
	onReply(reply: AddressedReply): void;
	/** Answers a request from another node: to its address, or in the acknowledgement. */
	answer(request: { r?: ReplyTo } | undefined, ack: unknown, reply: NodeReply): void;
	/** Ends every request still waiting, with what it has. */
	dispose(): void;
}

/** Requests waiting at once; more are answered at once with no other node (and said so). */
const MAX_PENDING = 1024;
/** Answers kept for one request: far more nodes than a cluster has. */
const MAX_REPLIES = 1024;

interface Pending {
	replies: Map<string, NodeReply>;
	/** Nodes that acknowledged having sent their answer, which has not come yet. */
	promised: Set<string>;
	/** The adapter's acknowledgement came (after all its nodes, or its own timeout). */
	acked: boolean;
	finish(): void;
}

export function createGatherer(deps: GatherDeps): Gatherer {
	const { nodeId } = deps;
	const pending = new Map<number, Pending>();
	let next = 0;

	/** Done once no node worth waiting for is still awaited. */
	function awaited(p: Pending): string[] {
		const out = new Set<string>();
		for (const id of deps.live()) if (!p.replies.has(id)) out.add(id);
		for (const id of p.promised) if (!p.replies.has(id)) out.add(id);
		return [...out];
	}

	function check(p: Pending): void {
		if (awaited(p).length > 0) return;
		// Before any node is known (the first seconds, before samples) only the adapter can say
		// that every node answered; afterwards the nodes heard from are enough, so a node dead to
		// the samples but not yet to the adapter costs nothing.
		if (p.acked || deps.live().length > 0) p.finish();
	}

	function keep(p: Pending, reply: NodeReply): void {
		if (p.replies.has(reply.nodeId) || p.replies.size >= MAX_REPLIES) return;
		p.replies.set(reply.nodeId, reply);
		p.promised.delete(reply.nodeId);
	}

	function ask(event: string, request: object): Promise<Gathered> {
		if (pending.size >= MAX_PENDING) {
			deps.failed(new Error('too many cluster requests waiting'));
			return Promise.resolve({ replies: [], missing: [...deps.live(), ...deps.down()] });
		}
		const q = next++ % Number.MAX_SAFE_INTEGER;
		return new Promise((resolve) => {
			const p: Pending = {
				replies: new Map(),
				promised: new Set(),
				acked: false,
				finish() {
					if (pending.get(q) !== p) return;
					pending.delete(q);
					clearTimeout(timer);
					const missing = new Set(awaited(p));
					for (const id of deps.down()) if (!p.replies.has(id)) missing.add(id);
					resolve({ replies: [...p.replies.values()], missing: [...missing] });
				}
			};
			const timer = setTimeout(() => p.finish(), deps.timeout);
			timer.unref();
			pending.set(q, p);
			const onAck = (err: Error | null, responses: unknown) => {
				if (err) debug('%s: %s', event, err.message);
				for (const r of Array.isArray(responses) ? responses : []) {
					if (!isReply(r)) continue;
					if ((r as Sent).sent === true) {
						if (!p.replies.has(r.nodeId)) p.promised.add(r.nodeId);
					} else keep(p, r);
				}
				p.acked = true;
				check(p);
			};
			try {
				deps.send([event, { ...request, r: { n: nodeId, q } satisfies ReplyTo }, onAck]);
			} catch (err) {
				deps.failed(err);
				p.finish();
			}
		});
	}

	return {
		ask,
		onReply(reply) {
			if (reply?.to !== nodeId || typeof reply.q !== 'number' || !isReply(reply)) return;
			const p = pending.get(reply.q);
			if (!p) return;
			const { to: _to, q: _q, ...own } = reply;
			keep(p, own);
			check(p);
		},
		answer(request, ack, reply) {
			const to = request?.r;
			const acknowledge = typeof ack === 'function' ? (ack as (r: unknown) => void) : undefined;
			if (typeof to?.n === 'string' && typeof to.q === 'number') {
				deps.send([REPLY_EVENT, { ...reply, to: to.n, q: to.q } satisfies AddressedReply]);
				acknowledge?.({ nodeId, sent: true } satisfies Sent);
			} else acknowledge?.(reply);
		},
		dispose() {
			for (const p of [...pending.values()]) p.finish();
		}
	};
}

function isReply(r: unknown): r is NodeReply {
	return typeof (r as NodeReply)?.nodeId === 'string';
}
