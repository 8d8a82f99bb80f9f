/**
 * A cluster node's adapter for the benchmark: @socket.io/redis-adapter or the Redis Streams
 * adapter. `redis-specific`: redis-adapter with `publishOnSpecificResponseChannel`, which sends
 * each answer to a request only to the node that asked instead of to every node.
 */
import { createClient } from 'redis';
import { createAdapter as redisAdapter } from '@socket.io/redis-adapter';
import { createAdapter as streamsAdapter } from '@socket.io/redis-streams-adapter';

export type AdapterKind = 'redis' | 'redis-specific' | 'streams';

export async function clusterAdapter(url: string, kind: AdapterKind) {
	const pub = createClient({ url });
	pub.on('error', (err) => console.error(`redis: ${String(err)}`));
	await pub.connect();
	if (kind === 'streams') return streamsAdapter(pub);
	const sub = pub.duplicate();
	sub.on('error', (err) => console.error(`redis: ${String(err)}`));
	await sub.connect();
	// No longer than the agent's queryTimeout (docs/clusters.md).
	return redisAdapter(pub, sub, {
		requestsTimeout: 2000,
		publishOnSpecificResponseChannel: kind === 'redis-specific'
	});
}
