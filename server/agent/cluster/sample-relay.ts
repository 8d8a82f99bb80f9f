/**
 * Samples between the nodes of a cluster, each compressed against the one before it.
 *
 * Every node's sample goes to every node once a second, and Redis's pub/sub hands each message to
 * every subscriber, so what a node publishes is paid once per node of the cluster. A sample is a
 * few kilobytes of JSON whose keys, names and most figures are the same as a second ago: deflated
 * with the previous sample as the preset dictionary it is a few hundred bytes, a tenth of the
 * sample deflated alone. A receiver that lacks the previous sample (it joined late, or Redis
 * dropped a message) asks for a keyframe, a frame deflated alone, which the sender also sends on
 * its own every `KEYFRAME_EVERY` frames.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Sample } from '../../protocol/models.js';

/** A sample on the wire between nodes. Base64, because redis-adapter sends these as JSON. */
export interface RelayFrame {
	/** The sender's node id. */
	n: string;
	/** The frame's sequence number at its sender. */
	s: number;
	/** The frame deflated against (absent on a keyframe). */
	b?: number;
	d: string;
}

/** A keyframe on this many frames at least, so that a receiver that lost track recovers alone. */
export const KEYFRAME_EVERY = 30;
/** A frame inflating past this is not a sample: refused instead of filling the heap. */
const MAX_SAMPLE_BYTES = 4 * 1024 * 1024;

export interface RelayEncoder {
	encode(sample: Sample): RelayFrame;
	/** A node could not read the last frames: the next one is a keyframe. */
	sendKeyframe(): void;
}

export function createRelayEncoder(nodeId: string): RelayEncoder {
	let seq = 0;
	let previous: Buffer | null = null;
	let sinceKeyframe = 0;
	return {
		encode(sample) {
			const json = Buffer.from(JSON.stringify(forPeers(sample)));
			seq += 1;
			const keyframe = previous === null || ++sinceKeyframe >= KEYFRAME_EVERY;
			const d = keyframe ? deflateRawSync(json) : deflateRawSync(json, { dictionary: previous! });
			if (keyframe) sinceKeyframe = 0;
			previous = json;
			return keyframe
				? { n: nodeId, s: seq, d: d.toString('base64') }
				: { n: nodeId, s: seq, b: seq - 1, d: d.toString('base64') };
		},
		sendKeyframe() {
			previous = null;
		}
	};
}

export type Decoded =
	| { sample: Sample }
	/** The frame was deflated against a sample this node does not have: ask for a keyframe. */
	| { missing: true };

export interface RelayDecoder {
	/** Throws on a frame that is not one (the caller records it as a fault). */
	decode(frame: RelayFrame): Decoded;
	forget(nodeId: string): void;
}

export function createRelayDecoder(): RelayDecoder {
	const last = new Map<string, { seq: number; json: Buffer }>();
	return {
		decode(frame) {
			if (
				typeof frame?.n !== 'string' ||
				typeof frame.s !== 'number' ||
				typeof frame.d !== 'string'
			)
				throw new Error('not a sample frame');
			const packed = Buffer.from(frame.d, 'base64');
			let json: Buffer;
			if (frame.b === undefined) {
				json = inflateRawSync(packed, { maxOutputLength: MAX_SAMPLE_BYTES });
			} else {
				const base = last.get(frame.n);
				if (base?.seq !== frame.b) return { missing: true };
				json = inflateRawSync(packed, {
					dictionary: base.json,
					maxOutputLength: MAX_SAMPLE_BYTES
				});
			}
			const sample = JSON.parse(json.toString()) as Sample;
			if (sample?.nodeId !== frame.n) throw new Error('sample frame names another node');
			last.set(frame.n, { seq: frame.s, json });
			return { sample };
		},
		forget(nodeId) {
			last.delete(nodeId);
		}
	};
}

/**
 * What the other nodes need of a sample: not this node's list of its peers, which each node
 * keeps for itself and which would grow every message with the cluster.
 */
function forPeers(sample: Sample): Sample {
	return sample.cluster ? { ...sample, cluster: { ...sample.cluster, peers: [] } } : sample;
}
