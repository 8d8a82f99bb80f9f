/**
 * A node's answer to a fan-out query, deflated when it is large.
 *
 * Both Redis adapters hand every answer to every node, not only to the node that asked
 * (redis-adapter publishes `serverSideEmit` acknowledgements on one response channel that all
 * nodes subscribe to; the streams adapter's stream is read by all). A page of sockets is tens of
 * kilobytes of JSON, the rooms of a namespace more: with ten nodes, every query would cost each
 * node parsing all ten answers. Deflated, an answer is a few times smaller on Redis, and a node
 * that did not ask parses one short string instead of the rows.
 *
 * A usual answer (a page of sockets: some 30 KB of JSON) is deflated in a quarter of a millisecond
 * and inflated in a twentieth: on the event loop, where a trip to libuv's thread pool and back
 * would wait twice for a core on a busy machine, and a fan-out waits for its slowest node. Larger
 * ones go to the thread pool, off the host's event loop.
 */
import { promisify } from 'node:util';
import { deflateRaw, deflateRawSync, inflateRaw, inflateRawSync } from 'node:zlib';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

/** Answers smaller than this travel as they are: deflating them would save little. */
const PACK_FROM_BYTES = 2048;
/** An answer inflating past this is refused (the largest real one is a namespace's rooms). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** Answers up to this size are deflated on the event loop (about a millisecond at most). */
const DEFLATE_INLINE_BYTES = 128 * 1024;
/** Inflating on the event loop stops here; an answer larger still is inflated on the thread pool. */
const INFLATE_INLINE_BYTES = 1024 * 1024;

/** `data` as it is, or `z`: its JSON deflated, in base64 (redis-adapter sends answers as JSON). */
export type Packed = { data: unknown } | { z: string };

export async function packAnswer(data: unknown): Promise<Packed> {
	const json = JSON.stringify(data);
	if (json === undefined || json.length < PACK_FROM_BYTES) return { data };
	const raw = Buffer.from(json);
	const packed = raw.length <= DEFLATE_INLINE_BYTES ? deflateRawSync(raw) : await deflate(raw);
	return { z: packed.toString('base64') };
}

/** The answer a node sent, whichever way it was sent; throws on one that cannot be read. */
export async function unpackAnswer(reply: { data?: unknown; z?: unknown }): Promise<unknown> {
	if (typeof reply.z !== 'string') return reply.data;
	const packed = Buffer.from(reply.z, 'base64');
	return JSON.parse((inflateInline(packed) ?? (await inflateAside(packed))).toString());
}

/** The answer inflated on the event loop, or null if it is larger than is done there. */
function inflateInline(packed: Buffer): Buffer | null {
	try {
		return inflateRawSync(packed, { maxOutputLength: INFLATE_INLINE_BYTES });
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return null;
		throw err;
	}
}

function inflateAside(packed: Buffer): Promise<Buffer> {
	return inflate(packed, { maxOutputLength: MAX_ANSWER_BYTES });
}
