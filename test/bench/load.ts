/** Load generation for the benchmark: many real socket.io-client sockets on loopback. */
import { io, type Socket } from 'socket.io-client';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function connectMany(
	port: number,
	count: number,
	onSocket?: (s: Socket, i: number) => void
): Promise<Socket[]> {
	const sockets: Socket[] = [];
	for (let i = 0; i < count; i += 200) {
		const batch = Array.from({ length: Math.min(200, count - i) }, (_, j) =>
			connectOne(port, i + j, onSocket)
		);
		sockets.push(...(await Promise.all(batch)));
	}
	return sockets;
}

export function connectOne(
	port: number,
	i: number,
	onSocket?: (s: Socket, i: number) => void
): Promise<Socket> {
	const socket = io(`http://127.0.0.1:${port}`, {
		transports: ['websocket'],
		forceNew: true,
		reconnection: false
	});
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

/** A steady load running against a server: what it has done so far, and how to stop it. */
export interface SteadyLoad {
	/** Messages delivered (chat) or operations done (churn) so far. */
	count(): number;
	/** Stops the load and disconnects its clients. */
	stop(): void;
}

const noAnswerNeeded = () => {};

/**
 * Chat: `clients` sockets in rooms of `roomSize` send `rate` messages a second in all, each
 * broadcast by the server to the sender's room; counts the messages delivered. `ackShare` of the
 * messages (0 to 1) are sent with an acknowledgement, which the server answers.
 */
export async function startChat(
	port: number,
	{
		clients,
		roomSize,
		rate,
		ackShare = 0
	}: { clients: number; roomSize: number; rate: number; ackShare?: number }
): Promise<SteadyLoad> {
	const ackEvery = ackShare > 0 ? Math.max(1, Math.round(1 / ackShare)) : 0;
	let delivered = 0;
	const sockets = await connectMany(port, clients, (socket) => socket.on('msg', () => delivered++));
	sockets.forEach((socket, i) => socket.emit('join', `room-${Math.floor(i / roomSize)}`));
	let next = 0;
	const stop = atRate(rate, () => {
		const n = next++;
		const i = n % sockets.length;
		const room = `room-${Math.floor(i / roomSize)}`;
		const text = 'hello, this is a chat message of typical size';
		if (ackEvery && n % ackEvery === 0) sockets[i].emit('msg', room, text, noAnswerNeeded);
		else sockets[i].emit('msg', room, text);
	});
	return { count: () => delivered, stop: () => (stop(), closeAll(sockets)) };
}

/**
 * Churn: a steady population of 300 sockets whose members connect, join, leave and disconnect at
 * `rate` operations a second in all; counts the operations.
 */
export async function startChurn(port: number, rate: number): Promise<SteadyLoad> {
	const population = await connectMany(port, 300);
	let ops = 0;
	let i = 0;
	// Each tick is four operations: one disconnect, one connect, one join, one leave.
	const stop = atRate(rate / 4, () => {
		const k = i++;
		population.shift()?.disconnect();
		ops++;
		connectOne(port, k).then(
			(socket) => {
				socket.emit('join', `room-${k % 50}`);
				socket.emit('leave', `room-${k % 50}`);
				ops += 3;
				population.push(socket);
			},
			() => {}
		);
	});
	return { count: () => ops, stop: () => (stop(), closeAll(population)) };
}

/**
 * The realistic shape: `clients` sockets spread over `namespaces` workspace namespaces
 * (`/ws-<n>`, round robin), in rooms of `roomSize` within each; they send `rate` messages a second
 * in all, `ackShare` of them with an acknowledgement, each broadcast to the sender's room; and
 * `dropsPerSecond` times a second one client's transport drops (`engine.close()`), so that it
 * reconnects and socket.io recovers its session. Counts the messages delivered; `recovered` counts
 * the sessions that came back recovered.
 */
export async function startRealistic(
	port: number,
	{
		clients,
		namespaces,
		roomSize,
		rate,
		ackShare,
		dropsPerSecond
	}: {
		clients: number;
		namespaces: number;
		roomSize: number;
		rate: number;
		ackShare: number;
		dropsPerSecond: number;
	}
): Promise<SteadyLoad & { recovered(): number; quiet(): void }> {
	let delivered = 0;
	let recovered = 0;
	const roomOf = (i: number) => `room-${Math.floor(Math.floor(i / namespaces) / roomSize)}`;
	const sockets: Socket[] = [];
	for (let i = 0; i < clients; i += 200) {
		const batch = Array.from({ length: Math.min(200, clients - i) }, (_, j) => {
			const n = i + j;
			const socket = io(`http://127.0.0.1:${port}/ws-${n % namespaces}`, {
				transports: ['websocket'],
				forceNew: true,
				reconnectionDelay: 100,
				reconnectionDelayMax: 500
			});
			socket.on('msg', () => delivered++);
			socket.on('connect', () => {
				if (socket.recovered) recovered++;
				else socket.emit('join', roomOf(n));
			});
			return new Promise<Socket>((resolve, reject) => {
				socket.once('connect', () => resolve(socket));
				socket.once('connect_error', reject);
			});
		});
		sockets.push(...(await Promise.all(batch)));
	}
	const ackEvery = ackShare > 0 ? Math.max(1, Math.round(1 / ackShare)) : 0;
	let next = 0;
	const text = 'hello, this is a chat message of typical size';
	const stopChat = atRate(rate, () => {
		const n = next++;
		const i = n % sockets.length;
		if (!sockets[i].connected) return;
		if (ackEvery && n % ackEvery === 0) sockets[i].emit('msg', roomOf(i), text, noAnswerNeeded);
		else sockets[i].emit('msg', roomOf(i), text);
	});
	let d = 0;
	const stopDrops =
		dropsPerSecond > 0
			? atRate(dropsPerSecond, () => sockets[(d++ * 7919) % sockets.length].io.engine?.close())
			: () => {};
	return {
		count: () => delivered,
		recovered: () => recovered,
		// The traffic stops, the sockets stay: what the server holds for them is measured then.
		quiet: () => (stopChat(), stopDrops()),
		stop: () => (stopChat(), stopDrops(), closeAll(sockets))
	};
}
