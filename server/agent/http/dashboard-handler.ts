/**
 * `dashboardHandler()`: the dashboard as a request handler the app mounts behind its own routing
 * and middleware (an auth check, a session, a firewall of paths), where the automatic route
 * answers before any of them. One shape, as `metricsHandler()`: `(req, res)` for Express and plain
 * `http`, `(request, reply)` for Fastify. It answers the mount path and everything below it, read
 * from the request's full URL (Express's `originalUrl`, since `app.use(path, …)` strips the path
 * from `req.url`), so the same handler serves `/sockscope`, its files and its config.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { metricsResponse } from '../metrics/handler.js';
import type { DashboardServer } from './routes.js';

/** `(req, res)` for Express or plain `http`; `(request, reply)` for Fastify. */
export type DashboardHandler = (req: unknown, res: unknown) => void;

/** Node's request under what a framework hands over: Fastify's request keeps it as `raw`. */
function nodeRequest(req: unknown): IncomingMessage & { originalUrl?: string } {
	const it = req as { raw?: IncomingMessage } & IncomingMessage;
	return typeof it.raw === 'object' && it.raw !== null && typeof it.raw.url === 'string'
		? it.raw
		: it;
}

export function createDashboardHandler(serve: DashboardServer, mount: string): DashboardHandler {
	return (req, res) => {
		const response: ServerResponse = metricsResponse(req, res, 'dashboardHandler()');
		const request = nodeRequest(req);
		const url = request.originalUrl ?? request.url ?? '/';
		const path = url.split('?')[0];
		if (path !== mount && !path.startsWith(`${mount}/`)) {
			response.writeHead(404, { 'content-type': 'text/plain' });
			response.end(
				`dashboardHandler(): asked for ${path}, outside the path it serves (${mount}); pass that path as dashboardHandler({ path }) and mount it there, and below it\n`
			);
			return;
		}
		serve(request, response, mount, path.slice(mount.length));
	};
}
