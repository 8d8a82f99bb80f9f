/**
 * One cluster node's load, in a process of its own (cluster.ts starts one per node): `count`
 * sockets in rooms, light chat and churn. The load of 100,000 sockets shares two cores with the
 * nodes it loads, so these are lean clients rather than socket.io-client (a Manager, an engine.io
 * socket and their timers each): one `ws` WebSocket each, speaking engine.io 4 and the socket.io
 * protocol's default text format by hand (open, connect to `/`, answer pings, emit events). To
 * the server they are socket.io clients over WebSocket like any other.
 */
import WebSocket from 'ws';
import { atRate } from './load.js';

export interface LoadRequest {
	type: 'start';
	port: number;
	count: number;
	/** Rooms of this many members on this node; the same room names on every node. */
	roomSize: number;
	/** Chat messages a second, each to the sender's room. */
	chatRate: number;
	/** Reconnects a second; as many joins and leaves of a second room. */
	churnRate: number;
}

export type LoadReport =
	{ type: 'connected'; count: number; ms: number } | { type: 'error'; message: string };

/** Chat pauses while cluster.ts reads Redis's counters, so that they count the agent alone. */
export type LoadControl = { type: 'chat'; on: boolean } | { type: 'exit' };

const CONNECT_BATCH = 200;
let chatting = true;
const sockets: WebSocket[] = [];
const roomOf = new Map<WebSocket, string>();
/** Closed on purpose (churn); any other close is the server dropping a client, which reconnects. */
const leaving = new WeakSet<WebSocket>();
let port = 0;

/** Opens one client and resolves when socket.io has connected it to `/` and it has joined `room`. */
function connect(port: number, room: string): Promise<WebSocket> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, {
			perMessageDeflate: false
		});
		ws.on('message', (data) => {
			const text = data.toString();
			if (text === '2') ws.send('3');
			else if (text.startsWith('0{')) ws.send('40');
			else if (text.startsWith('40')) {
				ws.send(`42["join","${room}"]`);
				roomOf.set(ws, room);
				resolve(ws);
			}
		});
		ws.once('error', reject);
		ws.once('close', () => {
			roomOf.delete(ws);
			reject(new Error('closed before connecting'));
			// A loaded machine can delay pongs past the server's ping timeout: the population stays whole.
			const i = sockets.indexOf(ws);
			if (leaving.has(ws) || i < 0) return;
			connect(port, room).then(
				(again) => (sockets[i] = again),
				() => {}
			);
		});
	});
}

async function start(req: LoadRequest): Promise<LoadReport> {
	const rooms = Math.max(1, Math.floor(req.count / req.roomSize));
	const room = (i: number) => `room-${i % rooms}`;
	port = req.port;
	const t0 = performance.now();
	for (let i = 0; i < req.count; i += CONNECT_BATCH) {
		const batch = Array.from({ length: Math.min(CONNECT_BATCH, req.count - i) }, (_, j) =>
			connect(req.port, room(i + j))
		);
		sockets.push(...(await Promise.all(batch)));
	}
	const ms = performance.now() - t0;
	let k = 0;
	atRate(req.chatRate, () => {
		const ws = sockets[Math.floor(Math.random() * sockets.length)];
		if (chatting && ws.readyState === WebSocket.OPEN)
			ws.send(`42["msg","${roomOf.get(ws)}","hello, this is a chat message of typical size"]`);
	});
	atRate(req.churnRate, () => {
		const i = Math.floor(Math.random() * sockets.length);
		const gone = sockets[i];
		leaving.add(gone);
		gone.close();
		roomOf.delete(gone);
		connect(req.port, room(k++)).then(
			(ws) => (sockets[i] = ws),
			() => {}
		);
		const other = sockets[Math.floor(Math.random() * sockets.length)];
		if (other.readyState !== WebSocket.OPEN) return;
		other.send('42["join","lobby"]');
		other.send('42["leave","lobby"]');
	});
	return { type: 'connected', count: sockets.length, ms };
}

process.on('message', (req: LoadRequest | LoadControl) => {
	if (req.type === 'exit') {
		for (const ws of sockets) (leaving.add(ws), ws.terminate());
		process.exit(0);
	}
	if (req.type === 'chat') return void (chatting = req.on);
	start(req).then(
		(report) => process.send!(report),
		(err) => process.send!({ type: 'error', message: String(err) } satisfies LoadReport)
	);
});

// A bench stopped mid-run (Ctrl-C, a timeout) takes its processes with it: none is left loading the machine.
process.on('disconnect', () => process.exit(0));
