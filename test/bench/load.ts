/** Load generation for the benchmark: many real socket.io-client sockets on loopback. */
import { io, type Socket } from 'socket.io-client';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function connectMany(port: number, count: number, onSocket?: (s: Socket, i: number) => void): Promise<Socket[]> {
	const sockets: Socket[] = [];
	for (let i = 0; i < count; i += 200) {
		const batch = Array.from({ length: Math.min(200, count - i) }, (_, j) => connectOne(port, i + j, onSocket));
		sockets.push(...(await Promise.all(batch)));
	}
	return sockets;
}

export function connectOne(port: number, i: number, onSocket?: (s: Socket, i: number) => void): Promise<Socket> {
	const socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
	onSocket?.(socket, i);
	return new Promise((resolve, reject) => {
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', reject);
	});
}

export function closeAll(sockets: Socket[]): void {
	for (const s of sockets) s.disconnect();
}

/**
 * Calls `fn` at a steady total rate, in ticks of 10 ms, carrying fractions over, so that the
 * offered load is the same whatever the arm.
 */
export function atRate(perSecond: number, fn: () => void): () => void {
	let owed = 0;
	let last = performance.now();
	const timer = setInterval(() => {
		const now = performance.now();
		owed += ((now - last) / 1000) * perSecond;
		last = now;
		// Never more than a second's worth at once, if the process stalled.
		owed = Math.min(owed, perSecond);
		while (owed >= 1) {
			fn();
			owed--;
		}
	}, 10);
	return () => clearInterval(timer);
}
