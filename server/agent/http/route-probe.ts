/**
 * Asks the host's own routes whether they answer a path, before the agent serves its metrics
 * there: one GET over loopback once the server listens, marked with a per-process token so that the
 * agent's handler passes it to the host's listeners. Anything but a 404 means the route is the
 * host's.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type Server as HttpServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Server as TlsServer } from 'node:tls';

export const PROBE_HEADER = 'x-sockscope-probe';
export const PROBE_TOKEN = randomBytes(16).toString('hex');
const PROBE_TIMEOUT_MS = 10_000;

/** The status the host answers `path` with, or undefined when it could not be asked. */
export function probeHostRoute(
	server: HttpServer,
	path: string,
	/** Ends the probe, e.g. when the agent unmounts: a host route that never answers must not hold its server open. */
	signal?: AbortSignal
): Promise<number | undefined> {
	return new Promise((resolve) => {
		const ask = () => {
			const address = server.address();
			if (address === null || signal?.aborted) return resolve(undefined);
			const target =
				typeof address === 'string'
					? { socketPath: address }
					: { host: loopbackFor(address.address), port: address.port };
			const send = server instanceof TlsServer ? httpsRequest : httpRequest;
			const req = send(
				{
					...target,
					path,
					method: 'GET',
					headers: { [PROBE_HEADER]: PROBE_TOKEN },
					agent: false,
					// Our own server, reached over loopback: its certificate need not name "localhost".
					rejectUnauthorized: false,
					timeout: PROBE_TIMEOUT_MS,
					signal
				},
				(res) => {
					res.resume();
					resolve(res.statusCode);
				}
			);
			req.on('error', () => resolve(undefined));
			req.on('timeout', () => req.destroy());
			req.end();
		};
		if (server.listening) setImmediate(ask);
		else server.once('listening', ask);
	});
}

function loopbackFor(address: string): string {
	if (address === '0.0.0.0' || address === '') return '127.0.0.1';
	if (address === '::') return '::1';
	return address;
}
