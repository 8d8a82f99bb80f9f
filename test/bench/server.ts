/**
 * The benchmark's server process: a chat server, bare or instrumented by one of the arms, that
 * reports its own CPU and heap over IPC. Run by run.ts, one process per arm and repetition.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { instrument as adminUi } from '@socket.io/admin-ui';
import { instrument, type Instrumentation } from '../../server/agent/index.js';

export type Arm = 'bare' | 'sockscope' | 'admin-ui-dev' | 'admin-ui-prod';

export type Request = { type: 'cpu' } | { type: 'heap' } | { type: 'agent' } | { type: 'exit' };

const arm = process.argv[2] as Arm;
const http = createServer();
const io = new Server(http, { transports: ['websocket'], pingInterval: 25_000 });

io.on('connection', (socket) => {
	socket.on('join', (room: string) => socket.join(room));
	socket.on('leave', (room: string) => socket.leave(room));
	// The chat workload: each message goes to the sender's room, except the sender.
	socket.on('msg', (room: string, text: string) => socket.to(room).emit('msg', text));
});

let agent: Instrumentation | undefined;
if (arm === 'sockscope') agent = instrument(io, { auth: false, dashboard: false });
if (arm === 'admin-ui-dev') adminUi(io, { auth: false, mode: 'development' });
if (arm === 'admin-ui-prod') adminUi(io, { auth: false, mode: 'production' });

http.listen(0, '127.0.0.1', () => {
	process.send!({ type: 'ready', port: (http.address() as AddressInfo).port });
});

process.on('message', (req: Request) => {
	switch (req.type) {
		case 'cpu': {
			const { user, system } = process.cpuUsage();
			process.send!({ type: 'cpu', micros: user + system, user });
			break;
		}
		case 'heap':
			// Twice: the first pass frees what finalisers release for the second.
			global.gc?.();
			global.gc?.();
			process.send!({ type: 'heap', bytes: process.memoryUsage().heapUsed });
			break;
		case 'agent':
			process.send!({ type: 'agent', sizes: agent ? { ...agent.inspect(), hostSockets: io.of('/').sockets.size } : null });
			break;
		case 'exit':
			process.exit(0);
	}
});
