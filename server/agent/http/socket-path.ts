/**
 * The agent's routes beside socket.io's own. engine.io answers every request under `path + '/'`
 * (default `/socket.io/`) and the agent takes the dashboard's path and everything under it, so a
 * dashboard at `/socket.io`, or at `/rt` with socket.io at `/rt/socket.io`, takes socket.io's
 * requests (clients fail with "server error" or "xhr poll error", far from the cause), and one
 * under socket.io's path is never reached. Refused at `instrument()`, naming both paths.
 */
import type { Server } from 'socket.io';
import { AgentError } from '../base/errors.js';

/** `a` is `b` or lies under it, as URL paths (segment by segment, so `/rtx` is not under `/rt`). */
function within(a: string, b: string): boolean {
	return a === b || b === '/' || a.startsWith(`${b}/`);
}

/** The Server's own path, as engine.io matches it: without a trailing slash. */
export function socketIoPath(io: Server): string {
	const path = typeof io.path === 'function' ? io.path() : '/socket.io';
	return path.replace(/\/+$/, '') || '/';
}

export function assertClearOfSocketIo(
	io: Server,
	routes: { dashboard: false | { path: string }; metrics: false | { path?: string } },
	dashboardOption = 'dashboard.path'
): void {
	const socketPath = socketIoPath(io);
	const check = (option: string, path: string, covers: boolean) => {
		let clash: string | undefined;
		if (path === socketPath) clash = 'is';
		else if (covers && within(socketPath, path)) clash = 'contains';
		else if (within(path, socketPath)) clash = 'lies under';
		if (!clash) return;
		throw new AgentError(
			'E_OPTIONS',
			`${option.includes('(') ? option : `option "${option}"`}: "${path}" ${clash} socket.io's own path "${socketPath}" (the Server's \`path\` option), ` +
				`so ${clash === 'lies under' ? 'socket.io would answer its requests' : "it would take socket.io's requests and clients could not connect"}; ` +
				`choose a path outside "${socketPath}", such as "${option === 'metrics.path' ? '/metrics' : '/sockscope'}"`
		);
	};
	// The dashboard answers its path and everything under it; metrics only their exact path.
	if (routes.dashboard) check(dashboardOption, routes.dashboard.path, true);
	if (routes.metrics && routes.metrics.path) check('metrics.path', routes.metrics.path, false);
}
