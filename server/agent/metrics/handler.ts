/**
 * `metricsHandler()`'s one shape for every framework: Express and plain `http` hand it Node's
 * response; Fastify hands it a reply, whose raw response it takes over (`reply.hijack()`), since
 * the exposition is written straight to the socket.
 */
import type { ServerResponse } from 'node:http';
import { AgentError } from '../base/errors.js';

/** `(req, res)` for Express or plain `http`; `(request, reply)` for Fastify. */
export type MetricsHandler = (req: unknown, res: unknown) => void;

interface FastifyReplyLike {
	raw: ServerResponse;
	hijack(): void;
}

export function metricsResponse(_req: unknown, res: unknown): ServerResponse {
	if (isFastifyReply(res)) {
		res.hijack();
		return res.raw;
	}
	if (
		typeof res === 'object' &&
		res !== null &&
		typeof (res as ServerResponse).writeHead === 'function'
	) {
		return res as ServerResponse;
	}
	throw new AgentError(
		'E_OPTIONS',
		'metricsHandler(): call it as (req, res) with a Node response, or as a Fastify route handler (request, reply)'
	);
}

function isFastifyReply(res: unknown): res is FastifyReplyLike {
	return (
		typeof res === 'object' &&
		res !== null &&
		typeof (res as FastifyReplyLike).hijack === 'function' &&
		typeof (res as FastifyReplyLike).raw === 'object'
	);
}
