/**
 * The `sockscope` command (see USAGE). Services (`demo`, `bots`) run until Ctrl-C or SIGTERM: the
 * first signal starts an orderly stop, and whatever is still running two seconds later is ended
 * by exiting. Later signals are ignored rather than taken as "hurry": under `npm start`, npm and
 * tsx forward the terminal's one Ctrl-C, so the process receives it more than once.
 */
import type { ParseArgsConfig } from 'node:util';
import { parse as parseArgs, UsageError } from './bin/args.js';
import { hashPasswordCommand } from './bin/hash-password.js';
import { startBots } from './demo/bots.js';
import { startDemo } from './demo/start-demo.js';
import { startCluster } from './demo/start-cluster.js';

const USAGE = `Usage: sockscope <command> [options]

  demo (default)        the demo chat server, instrumented, with bots
      --port <n>        port to listen on (default 3000; 0 picks a free one)
      --host <address>  address to listen on (default 127.0.0.1; 0.0.0.0 to expose it)
      --bots <n>        simulated users (default 40)
      --rate <n>        messages a minute per chatty bot (default 6)
      --agent <name>    sockscope (default) or admin-ui: instrument with @socket.io/admin-ui instead
  bots                  simulated users against a running demo
      --url <url>       the demo server (default http://localhost:3000)
      --count <n>       how many (default 40)
      --rate <n>        messages a minute per chatty bot (default 6)
  hash-password [pw]    print a bcrypt hash for auth.users (prompts when no password is given)
  cluster               demo nodes sharing one Redis through socket.io's Redis adapter
      --nodes <n>       how many (default 3)
      --port <n>        the first node's port; the others follow (default 3000)
      --host, --bots, --rate as for demo; REDIS_URL: a Redis to use instead of starting one
`;

const STOP_GRACE_MS = 2000;

interface Running {
	stop(): Promise<void>;
}

/** Starts something that runs until stopped; `signal` aborts the start itself. */
type Service = (args: string[], signal: AbortSignal) => Promise<Running>;
/** Does one thing and returns the exit code. */
type Task = (args: string[]) => Promise<number>;

const log = (line: string) => console.log(line);

const services: Record<string, Service> = {
	async demo(args, signal) {
		const { values } = parse(args, {
			port: { type: 'string', default: '3000' },
			host: { type: 'string', default: '127.0.0.1' },
			bots: { type: 'string', default: '40' },
			rate: { type: 'string', default: '6' },
			agent: { type: 'string', default: 'sockscope' }
		});
		if (values.agent !== 'sockscope' && values.agent !== 'admin-ui') {
			throw new UsageError(`--agent must be sockscope or admin-ui, not "${values.agent}"`);
		}
		return startDemo({
			agent: values.agent,
			port: integer(values.port, '--port', 0, 65_535),
			host: values.host,
			bots: integer(values.bots, '--bots', 0, 100_000),
			rate: number(values.rate, '--rate'),
			log,
			signal
		});
	},
	async cluster(args, signal) {
		const { values } = parse(args, {
			nodes: { type: 'string', default: '3' },
			port: { type: 'string', default: '3000' },
			host: { type: 'string', default: '127.0.0.1' },
			bots: { type: 'string', default: '60' },
			rate: { type: 'string', default: '6' }
		});
		return startCluster({
			nodes: integer(values.nodes, '--nodes', 1, 32),
			port: integer(values.port, '--port', 0, 65_535),
			host: values.host,
			bots: integer(values.bots, '--bots', 0, 100_000),
			rate: number(values.rate, '--rate'),
			redisUrl: process.env.REDIS_URL || undefined,
			log,
			signal
		});
	},
	async bots(args) {
		const { values } = parse(args, {
			url: { type: 'string', default: 'http://localhost:3000' },
			count: { type: 'string', default: '40' },
			rate: { type: 'string', default: '6' }
		});
		const count = integer(values.count, '--count', 0, 100_000);
		if (!URL.canParse(values.url) || !/^https?:$/.test(new URL(values.url).protocol)) {
			throw new UsageError(`--url must be an http(s) URL, not "${values.url}"`);
		}
		const bots = startBots({
			url: values.url,
			count,
			rate: number(values.rate, '--rate'),
			onError: (message) => log(`bots: ${message}`)
		});
		log(`${count} bots on ${values.url}. Ctrl-C stops them.`);
		return bots;
	}
};

const tasks: Record<string, Task> = { 'hash-password': hashPasswordCommand };

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
	return parseArgs({ args, options });
}

function number(text: string, option: string): number {
	const value = Number(text);
	if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
		throw new UsageError(`${option} must be a number ≥ 0, not "${text}"`);
	}
	return value;
}

function integer(text: string, option: string, min: number, max: number): number {
	const value = number(text, option);
	if (!Number.isInteger(value) || value < min || value > max) {
		throw new UsageError(`${option} must be a whole number from ${min} to ${max}, not "${text}"`);
	}
	return value;
}

async function main(argv: string[]): Promise<void> {
	const [first] = argv;
	if (first === '--help' || first === '-h' || first === 'help') return void log(USAGE);
	const implicit = first === undefined || first.startsWith('-');
	const name = implicit ? 'demo' : first;
	const args = implicit ? argv : argv.slice(1);
	if (Object.hasOwn(tasks, name)) process.exitCode = await tasks[name](args);
	else if (Object.hasOwn(services, name)) await serve(services[name], args);
	else throw new UsageError(`unknown command "${name}"`);
}

async function serve(service: Service, args: string[]): Promise<void> {
	const controller = new AbortController();
	let running: Running | undefined;
	const stop = (signal: NodeJS.Signals) => {
		if (controller.signal.aborted) return;
		controller.abort();
		log(`\n${signal}: stopping…`);
		setTimeout(() => {
			const open = process.getActiveResourcesInfo().join(', ');
			console.error(`Still running ${STOP_GRACE_MS} ms after ${signal} (${open}); exiting anyway.`);
			process.exit(1);
		}, STOP_GRACE_MS).unref();
		running?.stop().catch(fail);
	};
	process.on('SIGINT', stop).on('SIGTERM', stop);
	running = await service(args, controller.signal);
	// A signal that came while starting found nothing to stop yet.
	if (controller.signal.aborted) await running.stop();
}

function fail(err: unknown): void {
	if (err instanceof Error && err.name === 'AbortError') return;
	console.error(`sockscope: ${err instanceof Error ? err.message : String(err)}`);
	if (err instanceof UsageError) console.error(`\n${USAGE}`);
	process.exitCode = err instanceof UsageError ? 2 : 1;
	process.exit();
}

main(process.argv.slice(2)).catch(fail);
