/**
 * `npm run bench -- --demo`: what a dashboard on the Overview receives from the demo as a new user
 * runs it: `npm start` (the demo and its 40 bots) and `npx sockscope bots --count 2000` beside it,
 * 2,040 sockets in its four namespaces. The demo runs in this process, each set of bots in a process
 * of its own (as the two commands are), the dashboard client in another (dashboard.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Namespace } from 'socket.io';
import { io as connect } from 'socket.io-client';
import type { Sample } from '../../server/protocol/models.js';
import { createDemoServer } from '../../server/demo/chat-server.js';
import { startDashboard } from './processes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** `npm start`'s bots, and `npx sockscope bots --count 2000`'s. */
const BOT_SETS = [40, 2000];
const SETTLE_MS = 5000;

export interface DemoOverviewFigures {
	sockets: number;
	seconds: number;
	bytesPerSecond: number;
	messagesPerSecond: number;
	/** JSON bytes of each part of the samples, summed over the namespaces, per sample on average. */
	parts: Record<string, number>;
}

/** What makes a sample large: each top-level part, and each list of the namespaces. */
function partsOf(sample: Sample, into: Record<string, number>): void {
	const add = (key: string, value: unknown) =>
		(into[key] = (into[key] ?? 0) + (value === undefined ? 0 : JSON.stringify(value).length));
	for (const [key, value] of Object.entries(sample)) if (key !== 'namespaces') add(key, value);
	for (const ns of sample.namespaces) {
		const { topEvents, topRooms, acks, ...rest } = ns;
		add('namespaces: topEvents', topEvents);
		add('namespaces: topRooms', topRooms);
		add('namespaces: acks', acks);
		add('namespaces: the rest', rest);
	}
}

export async function measureDemoOverview(
	seconds: number,
	botSets = BOT_SETS
): Promise<DemoOverviewFigures> {
	const demo = await createDemoServer({ port: 0, instrument: { auth: false } });
	const bots: ChildProcess[] = botSets.map((count) =>
		spawn(
			process.execPath,
			['bin/sockscope.js', 'bots', '--url', demo.url, '--count', String(count)],
			{
				cwd: ROOT,
				stdio: ['ignore', 'ignore', 'inherit']
			}
		)
	);
	const nsps = (demo.io as unknown as { _nsps: Map<string, Namespace> })._nsps;
	const sockets = () =>
		[...nsps.values()].reduce(
			(n, nsp) => n + (nsp.name === '/sockscope' ? 0 : nsp.sockets.size),
			0
		);
	const total = botSets.reduce((a, b) => a + b, 0);
	try {
		// Reconnecting bots are briefly away: most of them is enough.
		while (sockets() < total * 0.95) {
			if (bots.some((b) => b.exitCode !== null)) throw new Error('the bots exited');
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		const dashboard = startDashboard('sockscope', demo.port, 'overview');
		await dashboard.firstView;
		await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
		dashboard.reset();
		const counted = sockets();
		// A second client reads the samples themselves, to tell what their bytes are made of.
		const reader = connect(`${demo.url}/sockscope`, {
			transports: ['websocket'],
			reconnection: false
		});
		const parts: Record<string, number> = {};
		let samples = 0;
		reader.on('stats:sample', (sample: Sample) => {
			samples++;
			partsOf(sample, parts);
		});
		await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
		const report = await dashboard.report();
		reader.disconnect();
		await dashboard.stop();
		for (const key of Object.keys(parts))
			parts[key] = Math.round(parts[key] / Math.max(1, samples));
		return {
			sockets: Math.round((counted + sockets()) / 2),
			seconds: report.seconds,
			bytesPerSecond: report.bytes / report.seconds,
			messagesPerSecond: report.messages / report.seconds,
			parts
		};
	} finally {
		await Promise.all(
			bots.map((b) => {
				if (b.exitCode !== null) return;
				const exited = new Promise((resolve) => b.once('exit', resolve));
				b.kill('SIGTERM');
				return exited;
			})
		);
		await demo.close();
	}
}
