/**
 * What a server costs a second with its sockets connected and nothing happening:
 *
 *   npx tsx test/bench/idle-cost.ts [sockets=5000] [namespaces=1000] [seconds=20] [rate=0]
 *     [drops=0] [ackShare=0]
 *
 * The realistic shape (connection state recovery on, a namespace per workspace, rooms of 10),
 * bare and with the agent, interleaved, each a fresh server process: its CPU a second, the main
 * thread's apart. A cost the agent pays once a second, whatever the traffic, shows here alone;
 * `rate` messages a second (`ackShare` of them acknowledged) and `drops` recovered sessions a
 * second add one part of the realistic traffic at a time.
 */
import { startServer } from './processes.js';
import { sleep, startRealistic } from './load.js';
import type { Arm } from './server.js';

const [clients = 5000, namespaces = 1000, seconds = 20, rate = 0, drops = 0, ackShare = 0] =
	process.argv.slice(2).map(Number);
const arms: Arm[] = ['bare', 'sockscope'];
for (let rep = 0; rep < 2; rep++) {
	for (const arm of rep % 2 ? [...arms].reverse() : arms) {
		const server = await startServer(arm, undefined, 'realistic');
		const load = await startRealistic(server.port, {
			clients,
			namespaces,
			roomSize: 10,
			rate,
			ackShare,
			dropsPerSecond: drops
		});
		await sleep(5000);
		const a = await server.cpu();
		const n0 = load.count();
		await sleep(seconds * 1000);
		const b = await server.cpu();
		const n1 = load.count();
		const per = (x?: number, y?: number) =>
			x === undefined || y === undefined ? NaN : (y - x) / 1000 / seconds;
		console.log(
			`${arm.padEnd(10)} ${clients} sockets, ${namespaces} namespaces: ${per(a.micros, b.micros).toFixed(2)} ms/s (main thread ${per(a.mainThread, b.mainThread).toFixed(2)}, other threads ${per(a.otherThreads, b.otherThreads).toFixed(2)}), ${((n1 - n0) / seconds).toFixed(0)} delivered/s`
		);
		load.stop();
		await server.stop();
	}
}
process.exit(0);
