/**
 * A real Prometheus (Debian's `prometheus` package, which also brings `promtool`) for the tests of
 * the Grafana board and the alert rules: a process of its own on a free loopback port, its TSDB in
 * a temporary directory, scraping the given targets. Without the binaries, suites skip with one
 * line saying how to install them — except on CI, where a missing binary is an error.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { freePort } from './util.js';

const INSTALL_HINT = 'prometheus/promtool not found: apt-get install -y prometheus';

export const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
export const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;
let warned = false;

/** `describe` when `prometheus` and `promtool` are installed; otherwise skipped, or a throw on CI. */
export function describeWithPrometheus(name: string, body: () => void): void {
	if (hasPromtool && hasPrometheus) {
		describe(name, body);
		return;
	}
	if (process.env.CI) throw new Error(INSTALL_HINT);
	if (!warned) console.warn(`${INSTALL_HINT} (skipping: ${name})`);
	warned = true;
	describe.skip(name, body);
}

/** One series of an instant query's answer; `value` is Prometheus' string ("NaN" included). */
export interface InstantSeries {
	metric: Record<string, string>;
	value: [number, string];
}

export interface PrometheusOptions {
	/** The scrape job's name. */
	job: string;
	/** `host:port` targets, scraped at `metricsPath`. */
	targets: string[];
	metricsPath?: string;
	/** Seconds between scrapes (and rule evaluations). @default 1 */
	interval?: number;
	/** Rule files to load, as absolute paths. */
	ruleFiles?: string[];
}

export interface PrometheusServer {
	/** e.g. `http://127.0.0.1:9091`. */
	url: string;
	/** An instant query through the HTTP API; a refused query (a parse error) throws its message. */
	query(expr: string, time?: number): Promise<InstantSeries[]>;
	/** GET /api/v1/<path> with `params`: the answer's `data`; an error answer throws. */
	api<T = unknown>(path: string, params?: Record<string, string | string[]>): Promise<T>;
	/** How many scrapes of `job` have been stored so far (at most the last hour's). */
	scrapes(): Promise<number>;
	/** Resolves once `job` has been scraped `n` times, every target up; throws after `timeout` ms. */
	waitForScrapes(n: number, timeout?: number): Promise<void>;
	/** Stops the process (SIGTERM, then SIGKILL if it lingers) and removes its directory. */
	close(): Promise<void>;
}

const POLL_MS = 200;

/** Calls `check` every 200 ms until it returns something other than undefined, or throws at `timeout`. */
export async function until<T>(
	what: string,
	check: () => Promise<T | undefined>,
	timeout: number
): Promise<T> {
	const deadline = Date.now() + timeout;
	let last: unknown;
	for (;;) {
		try {
			const value = await check();
			if (value !== undefined) return value;
		} catch (err) {
			last = err;
		}
		if (Date.now() > deadline) {
			throw new Error(`${what}: not within ${timeout} ms${last ? ` (${String(last)})` : ''}`);
		}
		await new Promise((resolve) => setTimeout(resolve, POLL_MS));
	}
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
	const { job, targets, metricsPath = '/metrics', interval = 1, ruleFiles = [] } = options;
	const dir = await mkdtemp(join(tmpdir(), 'sockscope-prometheus-'));
	const config = [
		'global:',
		`  scrape_interval: ${interval}s`,
		`  evaluation_interval: ${interval}s`,
		`  scrape_timeout: ${interval}s`,
		...(ruleFiles.length
			? ['rule_files:', ...ruleFiles.map((f) => `  - ${JSON.stringify(f)}`)]
			: []),
		'scrape_configs:',
		`  - job_name: ${JSON.stringify(job)}`,
		`    metrics_path: ${JSON.stringify(metricsPath)}`,
		'    static_configs:',
		`      - targets: ${JSON.stringify(targets)}`
	].join('\n');
	await writeFile(join(dir, 'prometheus.yml'), config + '\n');
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const child: ChildProcess = spawn(
		'prometheus',
		[
			`--config.file=${join(dir, 'prometheus.yml')}`,
			`--storage.tsdb.path=${join(dir, 'data')}`,
			`--web.listen-address=127.0.0.1:${port}`,
			'--log.level=warn'
		],
		{ stdio: ['ignore', 'ignore', 'pipe'] }
	);
	let stderr = '';
	child.stderr!.on('data', (chunk: Buffer) => {
		stderr = (stderr + chunk.toString()).slice(-4000);
	});
	const exited = once(child, 'exit');

	async function api<T>(path: string, params: Record<string, string | string[]> = {}): Promise<T> {
		const search = new URLSearchParams();
		for (const [key, value] of Object.entries(params)) {
			for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
		}
		const res = await fetch(`${url}/api/v1/${path}?${search}`);
		const body = (await res.json()) as { status: string; data: T; error?: string };
		if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? res.status}`);
		return body.data;
	}

	async function query(expr: string, time?: number): Promise<InstantSeries[]> {
		const data = await api<{ resultType: string; result: InstantSeries[] }>('query', {
			query: expr,
			...(time === undefined ? {} : { time: String(time) })
		});
		if (data.resultType !== 'vector')
			throw new Error(`${expr}: a ${data.resultType}, not a vector`);
		return data.result;
	}

	async function scrapes(): Promise<number> {
		const [series] = await query(`min(count_over_time(up{job=${JSON.stringify(job)}}[1h]))`);
		return series ? Number(series.value[1]) : 0;
	}

	const server: PrometheusServer = {
		url,
		query,
		api,
		scrapes,
		async waitForScrapes(n, timeout = 30_000) {
			await until(
				`${n} scrapes of ${job}`,
				async () => {
					const up = await query(`up{job=${JSON.stringify(job)}}`);
					const down = up.filter((s) => s.value[1] !== '1');
					if (up.length === 0 || down.length > 0) return undefined;
					return (await scrapes()) >= n ? true : undefined;
				},
				timeout
			);
		},
		async close() {
			if (child.exitCode === null && child.signalCode === null) {
				child.kill('SIGTERM');
				const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
				await exited;
				clearTimeout(killer);
			}
			await rm(dir, { recursive: true, force: true });
		}
	};

	try {
		const deadline = Date.now() + 30_000;
		for (;;) {
			if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}`);
			const ready = await fetch(`${url}/-/ready`).then(
				(res) => res.ok,
				() => false
			);
			if (ready) break;
			if (Date.now() > deadline) throw new Error(`prometheus not ready on ${url} within 30 s`);
			await new Promise((resolve) => setTimeout(resolve, POLL_MS));
		}
	} catch (err) {
		await server.close();
		throw new Error(`${(err as Error).message}\n${stderr}`);
	}
	return server;
}
