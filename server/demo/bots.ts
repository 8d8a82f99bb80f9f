/**
 * Simulated users, so the demo's charts move: `startBots({ url, count })`. Each bot is a
 * socket.io-client connection of its own in one namespace, with one behaviour:
 *
 *   idle         connects, takes a seat (a room, a ticket) and stays: most bots
 *   chatty       also types and sends `rate` messages a minute
 *   hopper       also moves to another room or ticket every `hopEvery` seconds, and speaks a little
 *   reconnector  also drops its connection every `reconnectEvery` seconds, alternately by a clean
 *                disconnect and by closing the transport (then the client reconnects by itself)
 *
 * Bots on `/` answer the server's presence checks (an event with an acknowledgement): most at
 * once, one in five slowly (1–3 s), one in eleven never. And one more client keeps trying to
 * connect with a name the server refuses, every `failingEvery` seconds.
 *
 * Bots get their behaviour and namespace by cycling `kinds` and `namespaces`, whose default lengths
 * (10 and 7) are coprime: any count gets a spread, and the same count always the same spread. One
 * bot in `pollingEvery` uses long-polling only. Only timings and words are random.
 */
import { io, type Socket } from 'socket.io-client';
import { TENANTS, SUPPORT_NAMESPACE } from './catalog.js';
import { createScript, supportRole, type BotHandle } from './bot-scripts.js';
import { PRESENCE_CHECK } from './namespaces/presence.js';

export type BotKind = 'idle' | 'chatty' | 'hopper' | 'reconnector';

export interface BotOptions {
	/** The demo server, e.g. `http://localhost:3000`. */
	url: string;
	count: number;
	/**
	 * Messages a minute per chatty bot; hoppers and reconnectors speak at a quarter of it.
	 * @default 6
	 */
	rate?: number;
	/**
	 * Mean seconds between a hopper's moves.
	 * @default 20
	 */
	hopEvery?: number;
	/**
	 * Mean seconds between a reconnector's drops.
	 * @default 30
	 */
	reconnectEvery?: number;
	/** @default DEFAULT_KINDS: 6 idle, 2 chatty, 1 hopper, 1 reconnector in 10 */
	kinds?: readonly BotKind[];
	/** @default DEFAULT_NAMESPACES: 3 in 7 on `/`, 2 on `/support`, 1 on each tenant */
	namespaces?: readonly string[];
	/**
	 * One bot in this many uses long-polling only; 0 for none.
	 * @default 9
	 */
	pollingEvery?: number;
	/**
	 * Seconds between the refused handshakes of the one client that always fails; 0 for none.
	 * @default 5
	 */
	failingEvery?: number;
	/** Told, once per distinct message, why bots cannot connect. */
	onError?: (message: string) => void;
}

export interface Bots {
	/** How many bots are connected right now. */
	readonly connected: number;
	/** Cancels every bot's timers and disconnects it; resolves once every bot is disconnected. */
	stop(): Promise<void>;
}

export const DEFAULT_KINDS: readonly BotKind[] = [
	'chatty',
	'idle',
	'hopper',
	'idle',
	'reconnector',
	'idle',
	'chatty',
	'idle',
	'idle',
	'idle'
];
export const DEFAULT_NAMESPACES: readonly string[] = [
	'/',
	SUPPORT_NAMESPACE,
	'/',
	TENANTS[0].namespace,
	'/',
	TENANTS[1].namespace,
	SUPPORT_NAMESPACE
];
const NAMES = 'ada alan grace linus barbara ken radia dennis hedy guido'.split(' ');
const ACK_TIMEOUT_MS = 5000;
/**
 * Bots whose first handshake may be under way at once. Thousands of bots opening together on a
 * busy host made handshakes time out faster than they completed, each retry adding to the pile;
 * queued, the bots arrive as fast as the server takes them.
 */
const HANDSHAKES_AT_ONCE = 100;

/** Runs each `open` when fewer than `limit` opened ones have not yet called their `done`. */
function handshakeQueue(limit: number) {
	const waiting: (() => void)[] = [];
	let open = 0;
	const next = () => {
		while (open < limit && waiting.length > 0) {
			open++;
			waiting.shift()!();
		}
	};
	return (start: (done: () => void) => void) => {
		waiting.push(() => {
			let finished = false;
			start(() => {
				if (finished) return;
				finished = true;
				open--;
				next();
			});
		});
		next();
	};
}

export function startBots(options: BotOptions): Bots {
	const { count, kinds = DEFAULT_KINDS, namespaces = DEFAULT_NAMESPACES } = options;
	if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a whole number');
	const reported = new Set<string>();
	const report = (message: string) => {
		if (reported.has(message)) return;
		reported.add(message);
		options.onError?.(message);
	};
	const queue = handshakeQueue(HANDSHAKES_AT_ONCE);
	const bots = Array.from({ length: count }, (_, index) =>
		startBot(
			index,
			kinds[index % kinds.length],
			namespaces[index % namespaces.length],
			options,
			report,
			queue
		)
	);
	const failing = count > 0 ? startFailingClient(options) : undefined;
	return {
		get connected() {
			return bots.filter((bot) => bot.socket.connected).length;
		},
		async stop() {
			failing?.();
			for (const bot of bots) bot.stop();
		}
	};
}

/**
 * A client whose name the server refuses, trying again and again: the dashboard's failed
 * connections. Returns what stops it.
 */
function startFailingClient({ url, failingEvery = 5 }: BotOptions): (() => void) | undefined {
	if (failingEvery <= 0) return undefined;
	let socket: Socket | undefined;
	const attempt = () => {
		socket?.disconnect();
		socket = io(url.replace(/\/$/, '') + '/', {
			forceNew: true,
			reconnection: false,
			transports: ['websocket'],
			auth: { name: 'gate/crasher!' }
		});
		// Refused as expected: nothing to report.
		socket.on('connect_error', () => socket?.disconnect());
	};
	attempt();
	const timer = setInterval(attempt, failingEvery * 1000);
	return () => {
		clearInterval(timer);
		socket?.disconnect();
	};
}

function startBot(
	index: number,
	kind: BotKind,
	namespace: string,
	options: BotOptions,
	report: (message: string) => void,
	queue: ReturnType<typeof handshakeQueue>
) {
	const { rate = 6, hopEvery = 20, reconnectEvery = 30, pollingEvery = 9 } = options;
	const polling = pollingEvery > 0 && index % pollingEvery === pollingEvery - 1;
	const socket = io(options.url.replace(/\/$/, '') + namespace, {
		// One connection per bot, as real users have, rather than one shared by a process's sockets.
		forceNew: true,
		// Opened by the queue of first handshakes (startBots); reconnections are the client's own.
		autoConnect: false,
		transports: polling ? ['polling'] : ['polling', 'websocket'],
		auth: {
			name: `bot-${NAMES[index % NAMES.length]}-${index}`,
			role: supportRole(namespace, index)
		}
	});
	const timers = new Set<NodeJS.Timeout>();
	// A script's bug should be seen, not kill the bots' process.
	const fault = (err: unknown) => report(`${namespace}: bot failed: ${String(err)}`);
	let stopped = false;
	let drops = 0;
	let comeback: NodeJS.Timeout | undefined;

	const bot: BotHandle = {
		socket,
		index,
		async call<T>(event: string, ...args: unknown[]) {
			try {
				const reply: unknown = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, ...args);
				return typeof reply === 'object' && reply && 'data' in reply
					? (reply.data as T)
					: undefined;
			} catch {
				return undefined;
			}
		},
		later(ms, fn) {
			// ±50%, so bots started together drift apart instead of speaking in chorus.
			const delay = ms * (0.5 + Math.random());
			const timer = setTimeout(() => {
				timers.delete(timer);
				if (stopped || !socket.connected) return;
				Promise.resolve().then(fn).catch(fault);
			}, delay);
			timers.add(timer);
		}
	};
	const script = createScript(namespace, bot);
	const speakEvery = 60_000 / rate;

	function every(ms: number, act: () => unknown): void {
		bot.later(ms, () => {
			every(ms, act);
			return act();
		});
	}

	function drop() {
		// Alternate the two ways a user goes away: the server sees different disconnect reasons.
		if (drops++ % 2) return socket.io.engine.close();
		socket.disconnect();
		comeback = setTimeout(() => stopped || socket.connect(), 1000 + Math.random() * 3000);
	}

	socket.on('connect', () => {
		script.arrive().catch(fault);
		const talks = rate > 0 && kind !== 'idle';
		if (talks) every(kind === 'chatty' ? speakEvery : speakEvery * 4, script.speak);
		if (kind === 'hopper') every(hopEvery * 1000, script.hop);
		if (kind === 'reconnector') bot.later(reconnectEvery * 1000, drop);
	});
	socket.on('disconnect', () => {
		for (const timer of timers) clearTimeout(timer);
		timers.clear();
	});
	socket.on('connect_error', (err) => report(`${namespace}: ${err.message}`));
	socket.on(PRESENCE_CHECK, (ack: () => void) => {
		if (index % 11 === 4) return;
		const ms = index % 5 === 1 ? 1000 + Math.random() * 2000 : 20 + Math.random() * 130;
		const timer = setTimeout(() => {
			timers.delete(timer);
			ack();
		}, ms);
		timers.add(timer);
	});
	let leaveQueue = () => {};
	queue((done) => {
		if (stopped) return done();
		// A first attempt that failed frees its place too: the client retries on its own.
		const settled = () => {
			socket.off('connect', settled);
			socket.off('connect_error', settled);
			done();
		};
		leaveQueue = settled;
		socket.on('connect', settled);
		socket.on('connect_error', settled);
		socket.connect();
	});

	return {
		socket,
		stop() {
			stopped = true;
			leaveQueue();
			clearTimeout(comeback);
			socket.disconnect();
		}
	};
}
