// Times dashboard queries against N sockets on one node (the figures in docs/how-it-works.md, "Pages on demand").
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { instrument } from '../../server/agent/index.ts';
const N = Number(process.argv[2] ?? 10000);
const http = createServer();
const io = new Server(http, { transports: ['websocket'] });
io.on('connection', (s) => s.join('room-' + (Math.floor(Math.random() * N / 10))));
instrument(io, { auth: false, dashboard: false });
await new Promise<void>((r) => http.listen(0, r));
const port = (http.address() as any).port;
for (let i = 0; i < N; i += 500) {
	await Promise.all(Array.from({ length: 500 }, () => new Promise<void>((res) => { const c = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true }); c.on('connect', () => res()); })));
}
const d = connect(`http://127.0.0.1:${port}/sockscope`, { transports: ['websocket'] });
await new Promise((r) => d.once('state:snapshot', r));
for (const [ev, q] of [['sockets:query', { limit: 100 }], ['sockets:query', { limit: 100, sort: 'rtt', order: 'desc' }], ['sockets:query', { text: 'zz', limit: 100 }], ['rooms:query', { limit: 100 }]] as const) {
	const times: number[] = [];
	let bytes = 0;
	for (let k = 0; k < 5; k++) { const t = performance.now(); const a = await d.emitWithAck(ev, q); times.push(performance.now() - t); bytes = JSON.stringify(a).length; }
	times.sort((a, b) => a - b);
	console.log(`${N} sockets ${ev} ${JSON.stringify(q)}: median ${times[2].toFixed(1)} ms, ${bytes} bytes`);
}
process.exit(0);
