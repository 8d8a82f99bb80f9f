/**
 * The record of recent disconnects' own heap when full, in one process:
 *
 *   node --expose-gc --import tsx test/bench/disconnect-record.ts [keep]
 *
 * Fills a record of `keep` entries (default: the option's default) with sockets shaped like a
 * busy app's: a label, a browser's user agent, eight rooms of 20-character names (more are only
 * counted), acknowledgement figures, a kick on every tenth; every string its own, as entries made
 * from different sockets hold different strings. Reads the heap after two full GCs before and
 * after, the sockets themselves released: what is left is what the full ring holds.
 */
import { DisconnectRecord } from '../../server/agent/observe/disconnects.js';
import type { SocketState } from '../../server/agent/observe/model.js';
import { DEFAULT_DISCONNECTS_KEPT } from '../../server/agent/options.js';

if (!global.gc) throw new Error('run with node --expose-gc');
const gc = global.gc;
const keep = Number(process.argv[2] ?? DEFAULT_DISCONNECTS_KEPT);

function heap(): number {
	gc();
	gc();
	return process.memoryUsage().heapUsed;
}

/**
 * A string as socket.io holds one: flat, as read from the wire or made by base64id. (One built
 * here with a template would be a tree of joined parts, larger than what an app's sockets hold.)
 */
const flat = (text: string): string => JSON.parse(JSON.stringify(text)) as string;

/** A socket's state as the record reads it, its strings made anew each time. */
function socketState(i: number): SocketState {
	const id = flat(`${Math.random().toString(36).slice(2, 12)}${i.toString(36).padStart(10, 'x')}`);
	const rooms = new Set([
		id,
		...Array.from({ length: 10 }, (_, r) => flat(`room-${r}-${i}`.padEnd(20, '.')))
	]);
	return {
		socket: {
			id,
			rooms,
			handshake: {
				address: flat(`::ffff:10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`),
				headers: {
					'user-agent': flat(`Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${120 + (i % 9)}.0.${i}.0 Safari/537.36`)
				}
			}
		},
		stats: { name: '/chat' },
		conn: { transport: 'websocket', upgradedFrom: i % 2 ? 'polling' : null, rtt: 12.5 + (i % 50) },
		eventsIn: i * 3,
		eventsOut: i * 5,
		bytesIn: i * 300,
		bytesOut: i * 700,
		acks: { inCount: 4, outCount: 3, inTimeouts: 0, outTimeouts: i % 7 === 0 ? 1 : 0, slots: null },
		label: flat(`user-${i}`.padEnd(12, '0')),
		connectedAt: Date.now() - 60_000
	} as unknown as SocketState;
}

const before = heap();
const record = new DisconnectRecord({
	keep,
	nodeId: 'bench-node:1234',
	label: (s) => s.label ?? null,
	showUserAgent: true
});
// Twice round the ring: what is measured is a full ring after overwriting, as in a long run.
for (let i = 0; i < keep * 2; i++) {
	const s = socketState(i);
	if (i % 10 === 0) record.kicked('/chat', [s.socket.id], 'ops-anna', 'spamming the lobby');
	record.add(s, i % 3 ? 'transport close' : 'ping timeout');
}
const after = heap();
const total = after - before;
console.log(
	`record of ${record.size} disconnects (keep ${keep}): ${Math.round(total / 1024)} KB, ${Math.round(total / record.size)} B an entry`
);
