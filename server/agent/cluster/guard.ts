/**
 * Both Redis adapters send some messages with a Redis PUBLISH whose promise they drop; if Redis
 * drops the connection while one is in flight, Node sees an unhandled rejection, which by default
 * ends the host's process. The agent's own cluster traffic (samples, queries and their answers)
 * travels on its admin namespace, whose adapter only the agent uses, so it is guarded there:
 *
 * - `@socket.io/redis-adapter` publishes through its `pubClient`: the client's `publish` gets a
 *   wrapper that catches the failure of a PUBLISH on the admin namespace's own request and response
 *   channels. Every other PUBLISH (the host's) passes through untouched, after one comparison.
 * - `@socket.io/redis-streams-adapter` sends server-side emits with a PUBLISH it drops and stream
 *   entries (XADD) with a promise it catches: the admin namespace's server-side emits go as stream
 *   entries of a type of their own, turned back into server-side emits where they arrive.
 *
 * Any other adapter is left as it is.
 */

type Publish = (this: unknown, channel: unknown, ...rest: unknown[]) => unknown;

interface RedisPubSubAdapter {
	pubClient: { publish: Publish };
	requestChannel: string;
	responseChannel: string;
}

interface Message {
	type: number;
}

interface StreamsAdapter {
	doPublish(message: Message): Promise<unknown>;
	onMessage(message: Message, offset?: string): void;
}

/** socket.io-adapter's `MessageType.SERVER_SIDE_EMIT`. */
const SERVER_SIDE_EMIT = 9;
/** The agent's server-side emits on the Redis stream: a type no adapter uses. */
const AGENT_SERVER_SIDE_EMIT = 1009;

/** Guards the agent's cluster messages on its admin namespace's adapter; returns the undo. */
export function guardClusterTraffic(adapter: object, onError: (err: unknown) => void): () => void {
	if (isRedisPubSub(adapter)) return guardPublish(adapter, onError);
	if (adapter.constructor?.name === 'RedisStreamsAdapter' && isStreams(adapter))
		return sendAsStreamEntries(adapter);
	return () => {};
}

function isRedisPubSub(a: object): a is RedisPubSubAdapter {
	const r = a as Partial<RedisPubSubAdapter>;
	return (
		typeof r.pubClient?.publish === 'function' &&
		typeof r.requestChannel === 'string' &&
		typeof r.responseChannel === 'string'
	);
}

function isStreams(a: object): a is StreamsAdapter {
	const s = a as Partial<StreamsAdapter>;
	return typeof s.doPublish === 'function' && typeof s.onMessage === 'function';
}

function guardPublish(adapter: RedisPubSubAdapter, onError: (err: unknown) => void): () => void {
	const client = adapter.pubClient;
	const original = client.publish;
	const { requestChannel, responseChannel } = adapter;
	const guarded: Publish = function (this: unknown, channel, ...rest) {
		const result = original.call(this, channel, ...rest);
		// Requests go to the request channel; answers to the response channel, or to a channel of
		// the asking node's own that starts with it (`publishOnSpecificResponseChannel`).
		if (
			typeof channel === 'string' &&
			(channel === requestChannel || channel.startsWith(responseChannel))
		) {
			(result as Promise<unknown> | undefined)?.then?.(undefined, onError);
		}
		return result;
	};
	const undo = replace(client, 'publish', guarded);
	// Only if nobody wrapped it again since; otherwise ours stays, harmless once the agent is gone.
	return () => client.publish === guarded && undo();
}

function sendAsStreamEntries(adapter: StreamsAdapter): () => void {
	const { doPublish, onMessage } = adapter;
	const undoPublish = replace(adapter, 'doPublish', function (this: unknown, message: Message) {
		return doPublish.call(
			this,
			message.type === SERVER_SIDE_EMIT ? { ...message, type: AGENT_SERVER_SIDE_EMIT } : message
		);
	});
	const undoMessage = replace(
		adapter,
		'onMessage',
		function (this: unknown, message: Message, offset?: string) {
			onMessage.call(
				this,
				message.type === AGENT_SERVER_SIDE_EMIT ? { ...message, type: SERVER_SIDE_EMIT } : message,
				offset
			);
		}
	);
	return () => {
		undoPublish();
		undoMessage();
	};
}

/** Sets `target[key]` on the instance; the undo puts back what was there (usually the prototype's). */
function replace<T extends object, K extends keyof T>(target: T, key: K, value: T[K]): () => void {
	const own = Object.getOwnPropertyDescriptor(target, key);
	target[key] = value;
	return () => {
		if (own) Object.defineProperty(target, key, own);
		else delete target[key];
	};
}
