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

/** Node's response under what a framework hands over; `name` is the handler, for the error. */
export function metricsResponse(
	_req: unknown,
	res: unknown,
	name = 'metricsHandler()'
): ServerResponse {
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
		`${name}: call it as (req, res) with a Node response, or as a Fastify route handler (request, reply)`
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
