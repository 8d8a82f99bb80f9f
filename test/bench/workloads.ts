/** The benchmark's workloads, each run against one server process (one arm). */
import type { Socket } from 'socket.io-client';
import type { DashboardPage } from './dashboard.js';
import type { Arm } from './server.js';
import {
	startDashboard,
	startServer,
	type DashboardProcess,
	type ServerProcess
} from './processes.js';
import {
	atRate,
	closeAll,
	connectMany,
	connectOne,
	sleep,
	startChat,
	startChurn,
	startRealistic,
	type SteadyLoad
} from './load.js';

export interface ArmSpec {
	name: string;
	server: Arm;
	/** Which dashboard client watches the server during the run, if any. */
	dashboard?: 'sockscope' | 'admin-ui';
}

export interface Settings {
	chatClients: number;
	roomSize: number;
	/** Messages per second, all clients together. */
	chatRate: number;
	churnRate: number;
	warmupMs: number;
	windowMs: number;
	/** Share of chat messages sent with an acknowledgement (0 to 1); none unless set. */
	ackShare?: number;
}

/** The bench's workloads as `npm run bench` runs them; its options and the other tools start from these. */
export const DEFAULT_SETTINGS: Settings = {
	chatClients: 1000,
	roomSize: 10,
	chatRate: 7000,
	churnRate: 400,
	warmupMs: 1000,
	windowMs: 3000
};

export interface StreamFigures {
	dashboardBytesPerSecond?: number;
	dashboardMessagesPerSecond?: number;
	/** Of the bytes, the open room's chart (Rooms page only). */
	chartBytesPerSecond?: number;
}

async function withServer<T>(
	arm: ArmSpec,
	fn: (server: ServerProcess, dashboard?: DashboardProcess) => Promise<T>
): Promise<T> {
	const server = await startServer(arm.server);
	const dashboard = arm.dashboard ? startDashboard(arm.dashboard, server.port) : undefined;
	try {
		if (dashboard) await dashboard.firstView;
		return await fn(server, dashboard);
	} finally {
		await dashboard?.stop();
		await server.stop();
	}
}

async function streamFigures(dashboard?: DashboardProcess): Promise<StreamFigures> {
	if (!dashboard) return {};
	const r = await dashboard.report();
	return {
		dashboardBytesPerSecond: r.bytes / r.seconds,
		dashboardMessagesPerSecond: r.messages / r.seconds,
		chartBytesPerSecond: r.chartBytes / r.seconds
	};
}

/** CPU used by the server and work done by the load over one window, as differences. */
export async function measureWindow(server: ServerProcess, load: SteadyLoad, windowMs: number) {
	// A full collection first, so that every window starts from the same state of the heap, not
	// wherever the process's collections happened to be (with it, longer windows and warm-up, the
	// bare chat trials' worst came from 1.32x to 1.10x their median; the part of each is not known).
	await server.heapBytes();
	const cpu0 = await server.cpu();
	const n0 = load.count();
	const t0 = performance.now();
	const own0 = process.cpuUsage();
	await sleep(windowMs);
	const cpu1 = await server.cpu();
	const own = process.cpuUsage(own0);
	const seconds = (performance.now() - t0) / 1000;
	return {
		count: load.count() - n0,
		seconds,
		/** The load process's own share of a core: near 1, it cannot offer the load steadily. */
		loadBusy: (own.user + own.system) / 1e6 / seconds,
		micros: cpu1.micros - cpu0.micros,
		user: cpu1.user - cpu0.user,
		mainThread: (cpu1.mainThread ?? 0) - (cpu0.mainThread ?? 0),
		otherThreads: (cpu1.otherThreads ?? 0) - (cpu0.otherThreads ?? 0)
	};
}

/** Warms a steady load up, measures one window of it and what a dashboard received meanwhile, then stops it. */
async function measureSteady(
	server: ServerProcess,
	dashboard: DashboardProcess | undefined,
	load: SteadyLoad,
	s: Settings
) {
	await sleep(s.warmupMs);
	dashboard?.reset();
	const window = await measureWindow(server, load, s.windowMs);
	const stream = await streamFigures(dashboard);
	load.stop();
	return { ...window, stream };
}

/** Chat: clients in rooms, each message broadcast to the sender's room. */
export async function chat(arm: ArmSpec, s: Settings) {
	return withServer(arm, async (server, dashboard) => {
		const load = await startChat(server.port, {
			clients: s.chatClients,
			roomSize: s.roomSize,
			rate: s.chatRate,
			ackShare: s.ackShare
		});
		const w = await measureSteady(server, dashboard, load, s);
		return {
			deliveredPerSecond: w.count / w.seconds,
			cpuMsPer1000: w.micros / w.count,
			userCpuMsPer1000: w.user / w.count,
			mainCpuMsPer1000: w.mainThread / w.count,
			loadBusy: w.loadBusy,
			...w.stream
		};
	});
}

/** Churn: a steady population whose sockets connect, join, leave and disconnect at a fixed rate. */
export async function churn(arm: ArmSpec, s: Settings) {
	return withServer(arm, async (server, dashboard) => {
		const w = await measureSteady(server, dashboard, await startChurn(server.port, s.churnRate), s);
		return {
			opsPerSecond: w.count / w.seconds,
			cpuMicrosPerOp: w.micros / w.count,
			userCpuMicrosPerOp: w.user / w.count,
			...w.stream
		};
	});
}

/**
 * Scale: idle sockets in rooms of 10, added up to each of `counts` in turn on one server. At each
 * count the server's heap is read (for the agent's memory), then a dashboard opens (its first full
 * view is timed) and watches through light churn, and closes.
 */
export async function scale(
	arm: ArmSpec,
	counts: number[],
	s: Settings
): Promise<Record<number, Record<string, number>>> {
	const server = await startServer(arm.server);
	const clients: Socket[] = [];
	const results: Record<number, Record<string, number>> = {};
	try {
		for (const count of counts) {
			const more = await connectMany(server.port, count - clients.length, (socket, i) => {
				const n = clients.length + i;
				socket.once('connect', () => socket.emit('join', `room-${Math.floor(n / 10)}`));
			});
			clients.push(...more);
			await sleep(1500);
			let figures: Record<string, number> = { heapBytes: await server.heapBytes() };
			for (const page of arm.dashboard === 'sockscope'
				? PAGES
				: arm.dashboard
					? (['overview'] as const)
					: []) {
				const measured = await measurePage(server, clients, arm.dashboard!, page, s);
				for (const [key, value] of Object.entries(measured)) figures[`${page}:${key}`] = value;
				// The first view is the same whichever page follows it: the Overview's stands for all.
				if (page === 'overview') figures = { ...figures, ...measured };
			}
			results[count] = figures;
		}
		return results;
	} finally {
		closeAll(clients);
		await server.stop();
	}
}

const PAGES = ['overview', 'sockets', 'rooms', 'events'] as const;

/**
 * One dashboard opened on a server of idle sockets: its first full view (bytes, time, and the
 * server's longest event-loop block meanwhile), then what it receives on one page through light churn.
 */
async function measurePage(
	server: ServerProcess,
	clients: Socket[],
	kind: 'sockscope' | 'admin-ui',
	page: DashboardPage,
	s: Settings,
	/** How a reconnecting client comes back (its rooms); by default, in no room. */
	rejoin?: (gone: Socket | undefined) => (socket: Socket) => void
) {
	// The longest block over half a second without a dashboard: what GC and the machine cost anyway.
	await server.watchLoop();
	await sleep(500);
	const idleStallMs = await server.longestBlock();
	await server.watchLoop();
	const dashboard = startDashboard(kind, server.port, page);
	try {
		const first = await dashboard.firstView;
		const firstViewStallMs = await server.longestBlock();
		let k = 0;
		const stopChurn = atRate(10, () => {
			const gone = clients.shift();
			gone?.disconnect();
			connectOne(server.port, k++, rejoin?.(gone)).then(
				(c) => clients.push(c),
				() => {}
			);
		});
		await sleep(1000);
		dashboard.reset();
		await sleep(s.windowMs);
		const stream = await streamFigures(dashboard);
		stopChurn();
		return { ...first, firstViewStallMs, idleStallMs, ...stream } as Record<string, number>;
	} finally {
		await dashboard.stop();
	}
}

/** The large room of `largeRoom`: its name, and how many of the sockets are in it. */
export const LARGE_ROOM = { name: 'large', members: 2000 };

/**
 * A large room open on the Rooms page (issue 29): idle sockets in rooms of 10 as in `scale`, the
 * first `LARGE_ROOM.members` of them in the large room too, on a server whose agent labels its
 * sockets. At each count the dashboard opens the Rooms page on the largest room (the large one)
 * and stays through light churn, each client that leaves coming back into the same rooms, so that
 * the room keeps its size.
 */
export async function largeRoom(
	arm: ArmSpec,
	counts: number[],
	s: Settings
): Promise<Record<number, Record<string, number>>> {
	const server = await startServer(arm.server, undefined, 'labelled');
	const clients: Socket[] = [];
	const inLarge = new WeakSet<Socket>();
	const joining = (large: boolean, n: number) => (socket: Socket) => {
		if (large) inLarge.add(socket);
		socket.once('connect', () => {
			socket.emit('join', `room-${Math.floor(n / 10)}`);
			if (large) socket.emit('join', LARGE_ROOM.name);
		});
	};
	const results: Record<number, Record<string, number>> = {};
	try {
		for (const count of counts) {
			const more = await connectMany(server.port, count - clients.length, (socket, i) => {
				const n = clients.length + i;
				joining(n < LARGE_ROOM.members, n)(socket);
			});
			clients.push(...more);
			await sleep(1500);
			if (!arm.dashboard) continue;
			let n = count;
			// Ten seconds: the page's stream comes in ticks of a second, which a few seconds count ±1.
			const long = { ...s, windowMs: 10_000 };
			results[count] = await measurePage(server, clients, arm.dashboard, 'rooms', long, (gone) =>
				joining(gone !== undefined && inLarge.has(gone), n++)
			);
		}
		return results;
	} finally {
		closeAll(clients);
		await server.stop();
	}
}

/** What the realistic workload runs at each count: the shape apps have, not the easy one. */
export const REALISTIC = {
	namespaces: 1000,
	roomSize: 10,
	/** Messages a second, all clients together; half of them acknowledged. */
	rate: 2000,
	ackShare: 0.5,
	/** Transports dropped a second, each followed by a recovered session. */
	dropsPerSecond: 5
};

/**
 * Realistic: at each of `counts` sockets, a fresh server (`BENCH_SHAPE=realistic`: connection
 * state recovery on, a namespace per workspace) with that many clients over 1,000 namespaces in
 * rooms of 10, chatting with acks on half the messages while transports drop and sessions are
 * recovered. Then, with a dashboard: its first full view, and the Overview's bytes a second during
 * the chat; the server's CPU per delivered message; and, the traffic stopped, its heap.
 */
export async function realistic(
	arm: ArmSpec,
	counts: number[],
	s: Settings
): Promise<Record<number, Record<string, number>>> {
	const results: Record<number, Record<string, number>> = {};
	for (const count of counts) {
		const server = await startServer(arm.server, undefined, 'realistic');
		let load: Awaited<ReturnType<typeof startRealistic>> | undefined;
		let dashboard: DashboardProcess | undefined;
		try {
			load = await startRealistic(server.port, { clients: count, ...REALISTIC });
			const figures: Record<string, number> = {};
			if (arm.dashboard) {
				dashboard = startDashboard(arm.dashboard, server.port);
				const first = await dashboard.firstView;
				figures.firstViewBytes = first.firstViewBytes;
				figures.firstViewMs = first.firstViewMs;
			}
			await sleep(s.warmupMs + 2000);
			dashboard?.reset();
			const recovered0 = load.recovered();
			const w = await measureWindow(server, load, s.windowMs * 2);
			const stream = await streamFigures(dashboard);
			figures.deliveredPerSecond = w.count / w.seconds;
			figures.cpuMsPer1000 = w.micros / w.count;
			figures.mainCpuMsPer1000 = w.mainThread / w.count;
			figures.loadBusy = w.loadBusy;
			figures.recoveredPerSecond = (load.recovered() - recovered0) / w.seconds;
			if (stream.dashboardBytesPerSecond !== undefined)
				figures.overviewBytesPerSecond = stream.dashboardBytesPerSecond;
			load.quiet();
			await dashboard?.stop();
			dashboard = undefined;
			// Messages still queued for slow clients are in the server's heap: wait until they are out.
			for (let last = -1, i = 0; load.count() !== last && i < 60; i++) {
				last = load.count();
				await sleep(500);
			}
			await sleep(1000);
			figures.heapBytes = await server.heapBytes();
			results[count] = figures;
		} finally {
			await dashboard?.stop();
			load?.stop();
			await server.stop();
		}
	}
	return results;
}

/** Soak: churn for a long time, then everyone leaves; the agent's maps must be back to empty. */
export async function soak(minutes: number, s: Settings) {
	const server = await startServer('sockscope');
	try {
		const population = await connectMany(server.port, 300);
		let i = 0;
		const stopLoad = atRate(s.churnRate / 4, () => {
			const k = i++;
			population.shift()?.disconnect();
			connectOne(server.port, k).then(
				(socket) => {
					socket.emit('join', `room-${k % 50}`);
					socket.emit(`event-${k % 20}`, k);
					population.push(socket);
				},
				() => {}
			);
		});
		await sleep(60_000);
		const heapFirstMinute = await server.heapBytes();
		await sleep((minutes - 1) * 60_000);
		const heapLastMinute = await server.heapBytes();
		stopLoad();
		// Connects still in flight land in the population after this; let them, then close all.
		await sleep(2000);
		closeAll(population);
		await sleep(2000);
		return { minutes, heapFirstMinute, heapLastMinute, afterAllLeft: await server.agentSizes() };
	} finally {
		await server.stop();
	}
}
