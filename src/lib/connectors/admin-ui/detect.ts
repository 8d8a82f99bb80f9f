/**
 * Whether a server speaks admin-ui's protocol at a namespace: it answers a connection either with
 * its `config` (no login needed) or with "invalid credentials" (a login is). Anything else, or
 * silence, means no admin-ui there.
 */
import { io } from 'socket.io-client';

export type Probe = 'open' | 'password' | null;

const PROBE_MS = 4000;

export function probeAdminUi(url: string, namespace: string, path: string): Promise<Probe> {
	const socket = io(url + namespace, {
		path,
		auth: {},
		forceNew: true,
		reconnection: false,
		timeout: PROBE_MS,
		transports: ['websocket', 'polling'],
		tryAllTransports: true
	});
	return new Promise<Probe>((resolve) => {
		const done = (probe: Probe) => {
			clearTimeout(timer);
			socket.removeAllListeners();
			socket.disconnect();
			resolve(probe);
		};
		// An app may have a namespace of that name; only admin-ui sends `config` on connection.
		const timer = setTimeout(() => done(null), PROBE_MS);
		socket.on('config', () => done('open'));
		socket.on('connect_error', (err) =>
			done(err.message === 'invalid credentials' ? 'password' : null)
		);
	});
}
