/**
 * A node's answer to a fan-out query, deflated when it is large.
 *
 * Both Redis adapters hand every answer to every node, not only to the node that asked
 * (redis-adapter publishes `serverSideEmit` acknowledgements on one response channel that all
 * nodes subscribe to; the streams adapter's stream is read by all). A page of sockets is tens of
 * kilobytes of JSON, the rooms of a namespace more: with ten nodes, every query would cost each
 * node parsing all ten answers. Deflated, an answer is a few times smaller on Redis, and a node
 * that did not ask parses one short string instead of the rows. Compression runs on libuv's
 * thread pool, off the host's event loop.
 */
import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

/** Answers smaller than this travel as they are: deflating them would save little. */
const PACK_FROM_BYTES = 2048;
/** An answer inflating past this is refused (the largest real one is a namespace's rooms). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/** `data` as it is, or `z`: its JSON deflated, in base64 (redis-adapter sends answers as JSON). */
export type Packed = { data: unknown } | { z: string };

export async function packAnswer(data: unknown): Promise<Packed> {
	const json = JSON.stringify(data);
	if (json === undefined || json.length < PACK_FROM_BYTES) return { data };
	return { z: (await deflate(Buffer.from(json))).toString('base64') };
}

/** The answer a node sent, whichever way it was sent; throws on one that cannot be read. */
export async function unpackAnswer(reply: { data?: unknown; z?: unknown }): Promise<unknown> {
	if (typeof reply.z !== 'string') return reply.data;
	const json = await inflate(Buffer.from(reply.z, 'base64'), {
		maxOutputLength: MAX_ANSWER_BYTES
	});
	return JSON.parse(json.toString());
}
