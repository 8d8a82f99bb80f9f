/** The benchmark's workloads, each run against one server process (one arm). */
import type { Socket } from 'socket.io-client';
import type { Arm } from './server.js';
import { startDashboard, startServer, type DashboardProcess, type ServerProcess } from './processes.js';
import { atRate, closeAll, connectMany, connectOne, sleep } from './load.js';

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
}

export interface StreamFigures {
	dashboardBytesPerSecond?: number;
	dashboardMessagesPerSecond?: number;
}

async function withServer<T>(arm: ArmSpec, fn: (server: ServerProcess, dashboard?: DashboardProcess) => Promise<T>): Promise<T> {
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
	return { dashboardBytesPerSecond: r.bytes / r.seconds, dashboardMessagesPerSecond: r.messages / r.seconds };
}

/** Chat: clients in rooms, each message broadcast to the sender's room. */
export async function chat(arm: ArmSpec, s: Settings) {
	return withServer(arm, async (server, dashboard) => {
		let delivered = 0;
		const sockets = await connectMany(server.port, s.chatClients, (socket) => socket.on('msg', () => delivered++));
		sockets.forEach((socket, i) => socket.emit('join', `room-${Math.floor(i / s.roomSize)}`));
		let next = 0;
		const stopLoad = atRate(s.chatRate, () => {
			const i = next++ % sockets.length;
			sockets[i].emit('msg', `room-${Math.floor(i / s.roomSize)}`, 'hello, this is a chat message of typical size');
		});
		await sleep(s.warmupMs);
		dashboard?.reset();
		const cpu0 = await server.cpu();
		const delivered0 = delivered;
		const t0 = performance.now();
		await sleep(s.windowMs);
		const cpu1 = await server.cpu();
		const seconds = (performance.now() - t0) / 1000;
		const count = delivered - delivered0;
		const stream = await streamFigures(dashboard);
		stopLoad();
		closeAll(sockets);
		return {
			deliveredPerSecond: count / seconds,
			cpuMsPer1000: (cpu1.micros - cpu0.micros) / count,
			userCpuMsPer1000: (cpu1.user - cpu0.user) / count,
			...stream
		};
	});
}

/** Churn: a steady population whose sockets connect, join, leave and disconnect at a fixed rate. */
export async function churn(arm: ArmSpec, s: Settings) {
	return withServer(arm, async (server, dashboard) => {
		const population = await connectMany(server.port, 300);
		let ops = 0;
		let i = 0;
		// Each tick is four operations: one connect, one join, one leave, one disconnect.
		const stopLoad = atRate(s.churnRate / 4, () => {
			const k = i++;
			const victim = population.shift()!;
			victim.disconnect();
			ops++;
			connectOne(server.port, k).then(
				(socket) => {
					ops++;
					socket.emit('join', `room-${k % 50}`);
					socket.emit('leave', `room-${k % 50}`);
					ops += 2;
					population.push(socket);
				},
				() => {}
			);
		});
		await sleep(s.warmupMs);
		dashboard?.reset();
		const cpu0 = await server.cpu();
		const ops0 = ops;
		const t0 = performance.now();
		await sleep(s.windowMs);
		const cpu1 = await server.cpu();
		const seconds = (performance.now() - t0) / 1000;
		const count = ops - ops0;
		const stream = await streamFigures(dashboard);
		stopLoad();
		closeAll(population);
		return {
			opsPerSecond: count / seconds,
			cpuMicrosPerOp: (cpu1.micros - cpu0.micros) / count,
			userCpuMicrosPerOp: (cpu1.user - cpu0.user) / count,
			...stream
		};
	});
}

/**
 * Scale: idle sockets in rooms of 10, added up to each of `counts` in turn on one server. At each
 * count the server's heap is read (for the agent's memory), then a dashboard opens (its first full
 * view is timed) and watches through light churn, and closes.
 */
export async function scale(arm: ArmSpec, counts: number[], s: Settings): Promise<Record<number, Record<string, number>>> {
	const server = await startServer(arm.server);
	const clients: Socket[] = [];
	let dashboard: DashboardProcess | undefined;
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
			if (arm.dashboard) {
				dashboard = startDashboard(arm.dashboard, server.port);
				const first = await dashboard.firstView;
				let k = 0;
				const stopChurn = atRate(10, () => {
					clients.shift()?.disconnect();
					connectOne(server.port, k++).then((c) => clients.push(c), () => {});
				});
				await sleep(1000);
				dashboard.reset();
				await sleep(s.windowMs);
				const stream = await streamFigures(dashboard);
				stopChurn();
				await dashboard.stop();
				dashboard = undefined;
				figures = { ...figures, ...first, ...stream } as Record<string, number>;
			}
			results[count] = figures;
		}
		return results;
	} finally {
		await dashboard?.stop();
		closeAll(clients);
		await server.stop();
	}
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
			connectOne(server.port, k).then((socket) => {
				socket.emit('join', `room-${k % 50}`);
				socket.emit(`event-${k % 20}`, k);
				population.push(socket);
			}, () => {});
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
