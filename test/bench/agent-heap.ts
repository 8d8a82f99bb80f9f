/**
 * The agent's own heap per socket, in one process:
 *
 *   node --expose-gc --import tsx test/bench/agent-heap.ts [sockets] [--shape idle|realistic]
 *     e.g. 1000, or 5000,10000 for the marginal cost between two counts
 *
 * Connects sockets in rooms of 10, then instruments the server and closes the agent again, reading
 * the heap after two full GCs each way: what the agent holds is the difference, with the same
 * clients, the same server and the same sockets on both sides.
 *
 * `idle` (the default): the sockets only joined their room. Instrumented three times; the first
 * also counts what instrumenting costs once (code compiled on first use, tables), the next ones are
 * the agent's per-socket records alone.
 *
 * `realistic`: the shape most apps have. While the agent watches, every socket sends an
 * acknowledged event (`socket.emit('ping', cb)`), answers one the server sends it
 * (`emitWithAck`), and sends a chat message to its room; the heap is read once every answer came.
 * With two counts, the sockets of the second are added to the first and the cost between the two
 * is the marginal one, without the agent's fixed tables.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import type { Socket as ClientSocket } from 'socket.io-client';
import { instrument } from '../../server/agent/index.js';
import { closeAll, connectMany, sleep } from './load.js';

if (!global.gc) throw new Error('run with node --expose-gc');
const gc = global.gc;
const args = process.argv.slice(2);
const shapeAt = args.indexOf('--shape');
const shape = shapeAt >= 0 ? args.splice(shapeAt, 2)[1] : 'idle';
if (shape !== 'idle' && shape !== 'realistic') throw new Error('--shape is idle or realistic');
const counts = (args[0] ?? '1000').split(',').map(Number);

const http = createServer();
const io = new Server(http, { transports: ['websocket'], pingInterval: 25_000 });
io.on('connection', (socket) => {
	socket.on('join', (room: string) => socket.join(room));
	socket.on('ping', (cb: (answer: string) => void) => cb('pong'));
	socket.on('say', (room: string, text: string) => socket.to(room).emit('said', text));
});
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const port = (http.address() as AddressInfo).port;
const room = (n: number) => `room-${Math.floor(n / 10)}`;

const heap = () => {
	// Twice: the first pass frees what finalisers release for the second.
	gc();
	gc();
	return process.memoryUsage().heapUsed;
};

/** Acks both ways and one message from every socket, done once every answer came. */
async function realisticRound(clients: ClientSocket[]): Promise<void> {
	for (let i = 0; i < clients.length; i += 500) {
		const batch = clients.slice(i, i + 500);
		await Promise.all(
			batch.map(async (client, j) => {
				await client.timeout(30_000).emitWithAck('ping');
				client.emit('say', room(i + j), 'hello');
			})
		);
	}
	const sockets = [...io.of('/').sockets.values()];
	for (let i = 0; i < sockets.length; i += 500) {
		await Promise.all(sockets.slice(i, i + 500).map((s) => s.timeout(30_000).emitWithAck('probe')));
	}
}

const clients: ClientSocket[] = [];
const answerProbes = (socket: ClientSocket) =>
	socket.on('probe', (cb: (answer: string) => void) => cb('here'));

if (shape === 'idle') {
	const count = counts[0];
	clients.push(
		...(await connectMany(port, count, (socket, n) =>
			socket.once('connect', () => socket.emit('join', room(n)))
		))
	);
	await sleep(500);
	const perSocket: number[] = [];
	for (let round = 0; round < 3; round++) {
		const bare = heap();
		const agent = instrument(io, { auth: false, dashboard: false });
		await sleep(1500);
		const on = heap();
		await agent.close();
		await sleep(200);
		perSocket.push((on - bare) / count);
	}
	console.log(
		`agent heap per socket at ${count} idle sockets: ${perSocket.map((b) => `${b.toFixed(0)} B`).join(', ')} (the first with instrumenting's one-off cost)`
	);
} else {
	// Warm-up: code compiled on first use and the agent's fixed tables, out of every figure.
	const warm = instrument(io, { auth: false, dashboard: false });
	const few = await connectMany(port, 50, (socket, n) => {
		answerProbes(socket);
		socket.once('connect', () => socket.emit('join', room(n)));
	});
	await realisticRound(few);
	await warm.close();
	closeAll(few);
	await sleep(500);

	const held: { count: number; bytes: number }[] = [];
	for (const count of counts) {
		const agent = instrument(io, { auth: false, dashboard: false });
		const more = await connectMany(port, count - clients.length, (socket, n) => {
			answerProbes(socket);
			socket.once('connect', () => socket.emit('join', room(clients.length + n)));
		});
		clients.push(...more);
		await sleep(500);
		await realisticRound(clients);
		// Two sample intervals: what the sampler keeps of this traffic is in the figure too.
		await sleep(2500);
		const on = heap();
		await agent.close();
		await sleep(200);
		const bare = heap();
		held.push({ count, bytes: on - bare });
		console.log(
			`realistic, ${count} sockets (acks both ways, rooms, messages): agent holds ${(
				(on - bare) /
				1024
			).toFixed(0)} KB, ${((on - bare) / count).toFixed(0)} B a socket`
		);
	}
	for (let i = 1; i < held.length; i++) {
		const [a, b] = [held[i - 1], held[i]];
		console.log(
			`marginal heap per socket from ${a.count} to ${b.count}: ${((b.bytes - a.bytes) / (b.count - a.count)).toFixed(0)} B`
		);
	}
}
closeAll(clients);
io.close();
process.exit(0);
