/**
 * What the host's own clients feel: chat round-trips (an `echo` event answered by the host's
 * handler, see `echoHandler`) measured from the test's side, for the isolated latency suites.
 */
import { performance } from 'node:perf_hooks';
import type { Server } from 'socket.io';
import type { Socket as ClientSocket } from 'socket.io-client';

/** The host's chat handler: every `echo` is acknowledged with its argument. */
export function echoHandler(io: Server): void {
	io.on('connection', (socket) => socket.on('echo', (n: number, ack: (n: number) => void) => ack(n)));
}

/**
 * Chat round-trips of `probes`, each sending its next message as soon as the last comes back.
 * `stop` waits for the round-trips in flight, so that none is left to fail when the test closes.
 */
export function measure(probes: ClientSocket[]): { stop(): Promise<number[]> } {
	const times: number[] = [];
	let running = true;
	const loops = probes.map(async (probe) => {
		for (let i = 0; running; i++) {
			const start = performance.now();
			await probe.timeout(60_000).emitWithAck('echo', i);
			times.push(performance.now() - start);
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
	});
	return {
		async stop() {
			running = false;
			await Promise.all(loops);
			return times;
		}
	};
}

export function p99(times: number[]): number {
	const sorted = [...times].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length * 0.99)];
}
