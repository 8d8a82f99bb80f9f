/**
 * The benchmark's dashboard process: one dashboard client, Sockscope's or @socket.io/admin-ui's,
 * that measures what the server streams to it. Its own process, so that parsing a heavy stream
 * does not slow the load generator.
 */
import { io, type Socket } from 'socket.io-client';
import { SAMPLES_AS_PATCHES } from '../../server/protocol/samples.js';

export type DashboardKind = 'sockscope' | 'admin-ui';
/** The page the dashboard shows after its first full view: what it asks for is what the page asks. */
export type DashboardPage = 'overview' | 'sockets' | 'rooms' | 'events';

export type DashboardRequest =
	{ type: 'reset' } | { type: 'report' } | { type: 'sockets-page'; on: boolean } | { type: 'exit' };

export interface DashboardReport {
	type: 'report';
	/** Time and bytes from connecting until the first full view. */
	firstViewMs: number;
	firstViewBytes: number;
	/** Since the last reset. */
	messages: number;
	bytes: number;
	/** Of `bytes`, the open room's chart (its history's answers; Rooms page only). */
	chartBytes: number;
	seconds: number;
}

const [kind, port] = [process.argv[2] as DashboardKind, Number(process.argv[3])];
const page = (process.argv[4] ?? 'overview') as DashboardPage;
/** The rows a 1280×800 window shows on the Sockets page, with the virtual list's overscan and the window's margin. */
const WINDOW_ROWS = 75;
/**
 * The rows the Rooms page's member list watches when a room opens: its 11 rows in view, the
 * virtual list's overscan of 10 and the window's margins (socket-window.svelte.ts).
 */
const MEMBER_ROWS = 112;
/** The rooms the Rooms page's list shows at 1280×800, with the virtual list's overscan of 10. */
const ROOM_ROWS = 26;
const started = performance.now();
let bytes = 0;
let messages = 0;
let chartBytes = 0;
let since = performance.now();
let firstViewMs = -1;
let firstViewBytes = -1;

const socket: Socket = io(
	`http://127.0.0.1:${port}${kind === 'sockscope' ? '/sockscope' : '/admin'}`,
	{
		transports: ['websocket'],
		reconnection: false,
		// As Sockscope's dashboard asks: each node's samples as patches after its first.
		auth: kind === 'sockscope' ? { samples: SAMPLES_AS_PATCHES } : {}
	}
);
socket.io.on('open', () => {
	socket.io.engine.on('packet', (p: { type: string; data?: unknown }) => {
		if (p.type !== 'message') return;
		messages++;
		bytes +=
			typeof p.data === 'string' ? Buffer.byteLength(p.data) : (p.data as ArrayBuffer).byteLength;
	});
});

function firstView(sockets?: number) {
	if (firstViewMs >= 0) return;
	firstViewMs = performance.now() - started;
	firstViewBytes = bytes;
	process.send!({ type: 'first-view', firstViewMs, firstViewBytes, sockets });
}

/** The nodes of the snapshot: a window is whole once each of them sent its part. */
let nodes: string[] = [];

/**
 * Resolves once every node sent its first update of a watch (its part of the window, perhaps
 * empty), or after 10 s: on a cluster the window's rows may come from any node, and the first
 * update to arrive is not the whole window.
 */
function windowFromEveryNode(watch: number): Promise<void> {
	return new Promise((resolve) => {
		const waiting = new Set(nodes);
		const done = () => {
			clearTimeout(timer);
			socket.off('sockets:window', onUpdate);
			resolve();
		};
		const onUpdate = (u: { watch: number; nodeId: string }) => {
			if (u.watch !== watch) return;
			waiting.delete(u.nodeId);
			if (waiting.size === 0) done();
		};
		const timer = setTimeout(done, 10_000);
		socket.on('sockets:window', onUpdate);
	});
}

if (kind === 'sockscope') {
	// Sockscope's first full view: the snapshot, then the first sockets window and rooms page.
	socket.once('state:snapshot', async (snapshot: { samples?: { nodeId: string }[] }) => {
		nodes = (snapshot.samples ?? []).map((s) => s.nodeId);
		// Where a first view's time goes, for the run's log: each part from the snapshot on.
		const t = performance.now();
		const took = (p: Promise<unknown>) => p.then(() => Math.round(performance.now() - t));
		const window = took(windowFromEveryNode(1));
		const parts = await Promise.all([
			took(socket.emitWithAck('sockets:watch', { watch: 1, query: {}, limit: WINDOW_ROWS })),
			took(socket.emitWithAck('rooms:query', { limit: 100 })),
			window
		]);
		console.log(
			`first view: snapshot at ${Math.round(t - started)} ms; then watch answered in ${parts[0]} ms, ` +
				`rooms in ${parts[1]} ms, every node's window in ${parts[2]} ms`
		);
		firstView();
		await openPage();
	});
} else {
	// admin-ui's first full view: its whole socket list (development mode) or its first stats.
	// In a cluster every node's stats reach the dashboard, often before the list does: in
	// development mode (its config says so, first) only the list counts.
	let development = false;
	socket.once('config', (config: { supportedFeatures: string[] }) => {
		development = config.supportedFeatures.includes('ALL_EVENTS');
	});
	socket.once('all_sockets', (list: { nsp: string }[]) =>
		firstView(list.filter((s) => s.nsp !== '/admin').length)
	);
	socket.once('server_stats', () => development || setTimeout(firstView, 50));
}
socket.onAny(() => {});

/** Asks what the page asks for, as the dashboard does while it stays open. */
async function openPage() {
	if (page !== 'sockets') await socket.emitWithAck('sockets:unwatch', {});
	if (page === 'events') await socket.emitWithAck('log:subscribe', {});
	if (page === 'rooms') {
		const { data } = await socket.emitWithAck('rooms:query', { limit: 1 });
		const room = data.rows[0];
		if (room) await roomsPage(room.namespace, room.name);
	}
}

/**
 * The Rooms page with one room open, as the dashboard asks: the rooms in view re-read on each
 * sample, the open room's history (five minutes, then its last minute every two
 * seconds), and a live window on its members, which the agent keeps current.
 */
async function roomsPage(namespace: string, room: string) {
	const history = (range: '5m' | '1m') =>
		void socket.emitWithAck('room:history', { namespace, room, range }).then((answer) => {
			// The answer's packet: `43/sockscope,<id>` and the answer as JSON, within a byte or two.
			chartBytes += Buffer.byteLength(`43/sockscope,000${JSON.stringify([answer])}`);
		});
	history('5m');
	const window = windowFromEveryNode(3);
	await socket.emitWithAck('sockets:watch', {
		watch: 3,
		query: { namespace, room },
		limit: MEMBER_ROWS,
		slim: true
	});
	await window;
	setInterval(
		() => void socket.emitWithAck('rooms:query', { sort: 'size', limit: ROOM_ROWS }),
		1000
	);
	setInterval(() => history('1m'), 2000);
}

/**
 * The Sockets page, as the dashboard shows it: a live window on the rows in view, which the agent
 * keeps current by sending only what changed in it (at most once per sample interval).
 */
async function showSocketsPage(on: boolean) {
	if (!on) return void socket.emitWithAck('sockets:unwatch', {});
	const window = windowFromEveryNode(2);
	await socket.emitWithAck('sockets:watch', { watch: 2, query: {}, limit: WINDOW_ROWS });
	await window;
	process.send!({ type: 'sockets-page-open' });
}

process.on('message', (req: DashboardRequest) => {
	if (req.type === 'sockets-page') void showSocketsPage(req.on);
	else if (req.type === 'reset') {
		bytes = 0;
		messages = 0;
		chartBytes = 0;
		since = performance.now();
	} else if (req.type === 'report') {
		const report: DashboardReport = {
			type: 'report',
			firstViewMs,
			firstViewBytes,
			messages,
			bytes,
			chartBytes,
			seconds: (performance.now() - since) / 1000
		};
		process.send!(report);
	} else process.exit(0);
});

// A bench stopped mid-run (Ctrl-C, a timeout) takes its processes with it: none is left loading the machine.
process.on('disconnect', () => process.exit(0));
