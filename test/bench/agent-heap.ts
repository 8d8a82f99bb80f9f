/**
 * The agent's own heap per socket, in one process:
 *
 *   node --expose-gc --import tsx test/bench/agent-heap.ts [sockets]     e.g. 1000
 *
 * Connects idle sockets in rooms of 10, then instruments the server and closes the agent again,
 * three times, reading the heap after two full GCs each way. The first time also counts what
 * instrumenting costs once (code compiled on first use, tables); the next ones are the agent's
 * per-socket records alone. The scale bench's "heap per socket vs bare" compares two processes,
 * so it holds that one-off cost too, divided by the socket count.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { instrument } from '../../server/agent/index.js';
import { closeAll, connectMany, sleep } from './load.js';

if (!global.gc) throw new Error('run with node --expose-gc');
const gc = global.gc;
const count = Number(process.argv[2] ?? 1000);
const http = createServer();
const io = new Server(http, { transports: ['websocket'], pingInterval: 25_000 });
io.on('connection', (socket) => socket.on('join', (room: string) => socket.join(room)));
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const port = (http.address() as AddressInfo).port;
const clients = await connectMany(port, count, (socket, n) =>
	socket.once('connect', () => socket.emit('join', `room-${Math.floor(n / 10)}`))
);
await sleep(500);

const heap = () => {
	// Twice: the first pass frees what finalisers release for the second.
	gc();
	gc();
	return process.memoryUsage().heapUsed;
};
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
	`agent heap per socket at ${count} sockets: ${perSocket.map((b) => `${b.toFixed(0)} B`).join(', ')} (the first with instrumenting's one-off cost)`
);
closeAll(clients);
io.close();
process.exit(0);
