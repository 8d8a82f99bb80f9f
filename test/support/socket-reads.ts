/**
 * Counting the agent's reads of the host's sockets. A text filter reads each socket's `handshake`
 * once (its address and user agent), and a sort by id reads none: with such a window, how often a
 * socket's `handshake` is read is how often the agent read that socket.
 */

/** A window that matches every socket on loopback and reads each socket's handshake once a scan. */
export const READ_ONCE_QUERY = { sort: 'id', text: '127.0.0' } as const;

/**
 * From now on, counts the reads of this server-side socket's `handshake` (and calls `onRead` on
 * each); returns the count so far.
 */
export function countReads(socket: { handshake: unknown }, onRead?: () => void): () => number {
	let reads = 0;
	const value = socket.handshake;
	Object.defineProperty(socket, 'handshake', {
		configurable: true,
		enumerable: true,
		get() {
			reads++;
			onRead?.();
			return value;
		}
	});
	return () => reads;
}
