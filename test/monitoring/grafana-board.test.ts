/**
 * The Grafana board's queries against a real Prometheus scraping the demo, bots running: every
 * expression of every panel parses and returns data, the board's template variables list the
 * demo's job, node and namespaces, the alert rules evaluate without error on the same data, and
 * where the board and the agent both have a figure (sockets, events per second) they agree.
 *
 * The demo runs with a 1 s heartbeat, connection state recovery, per-room series for every room,
 * a short ackTimeout and an event-name allowlist that leaves names out (`_other`), so that every
 * panel has something to show.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startBots, type Bots } from '../../server/demo/bots.js';
import type { NamespaceSample, Sample } from '../../server/protocol/models.js';
import { startDemo, type DemoFixture } from '../support/demo-fixture.js';
import {
	describeWithPrometheus,
	startPrometheus,
	until,
	type InstantSeries,
	type PrometheusServer
} from '../support/prometheus.js';

const BOARD = fileURLToPath(new URL('../../grafana/sockscope.json', import.meta.url));
const RULES = fileURLToPath(new URL('../../prometheus/sockscope-alerts.yml', import.meta.url));
/** The job name the alert rules expect. */
const JOB = 'socketio';
/** The demo's busiest event names (names it does not list are counted as `_other`). */
const DEMO_EVENTS = [
	'message:send',
	'message:new',
	'presence:check',
	'typing:update',
	'room:join',
	'room:leave',
	'rooms:list',
	'member:joined',
	'member:left',
	'ticket:open',
	'ticket:message',
	'ticket:join',
	'ticket:leave'
];
/** What `$__rate_interval` stands for here: ten scrapes at 1 s. */
const RATE_INTERVAL = '10s';

interface Target {
	expr: string;
	refId: string;
}
interface Panel {
	id: number;
	type: string;
	title: string;
	targets?: Target[];
	panels?: Panel[];
}
interface Variable {
	name: string;
	allValue?: string;
	definition: string;
}
interface Board {
	panels: Panel[];
	templating: { list: Variable[] };
}

const board = JSON.parse(readFileSync(BOARD, 'utf8')) as Board;
const variables = board.templating.list;
/** Each variable at "All", as Grafana sets it: its `allValue`, or else every value its query lists. */
const values: Record<string, string> = {};
/** What each variable's query listed. */
const listed: Record<string, string[]> = {};

/** The board's query with every variable at "All" and `$__rate_interval` at `rateInterval`. */
function substitute(expr: string, rateInterval = RATE_INTERVAL): string {
	return expr
		.replace(/\$__rate_interval|\$\{__rate_interval\}/g, rateInterval)
		.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, braced: string, bare: string) => {
			const value = values[braced ?? bare];
			if (value === undefined) throw new Error(`${expr}: unknown variable ${whole}`);
			return value;
		});
}

/** Lists each variable's values through the HTTP API, in order (a query may use those before it). */
async function resolveVariables(prometheus: PrometheusServer): Promise<void> {
	for (const variable of variables) {
		const m = /^label_values\((.+),\s*(\w+)\)$/.exec(variable.definition);
		if (!m) throw new Error(`${variable.name}: not a label_values() query: ${variable.definition}`);
		listed[variable.name] = await prometheus.api<string[]>(`label/${m[2]}/values`, {
			'match[]': substitute(m[1])
		});
		// Grafana's "All" without an allValue: the listed values as a regular expression, escaped
		// as its Prometheus data source does (a doubled backslash inside a PromQL string).
		values[variable.name] =
			variable.allValue ??
			`(${listed[variable.name].map((v) => v.replace(/[\\$^*{}[\]'+?.()|]/g, '\\\\$&')).join('|')})`;
	}
}

/** Every query of the board, with its panel's title and refId. */
function boardQueries() {
	return board.panels
		.flatMap((panel) => [panel, ...(panel.panels ?? [])])
		.flatMap((panel) =>
			(panel.targets ?? []).map((target) => ({
				name: `${panel.title} (${target.refId})`,
				expr: substitute(target.expr)
			}))
		);
}
let queries: ReturnType<typeof boardQueries>;

const finite = (series: InstantSeries[]) => series.some((s) => Number.isFinite(Number(s.value[1])));

const allNamespaces = (sample: Sample): NamespaceSample[] => [
	...sample.namespaces,
	...(sample.otherNamespaces ? [sample.otherNamespaces] : [])
];

describeWithPrometheus('the Grafana board against a real Prometheus scraping the demo', () => {
	let demo: DemoFixture;
	let steady: Bots;
	let churn: Bots;
	let prometheus: PrometheusServer;
	const probes: Socket[] = [];
	const samples: Sample[] = [];
	let collector: ReturnType<typeof setInterval> | undefined;

	beforeAll(async () => {
		demo = await startDemo({
			instrument: {
				auth: false,
				ackTimeout: 1500,
				// The demo's own names and the probe's unanswered one; the probe's others count as `_other`.
				eventNames: [...DEMO_EVENTS, 'probe:unanswered'],
				metrics: { path: '/metrics', defaultMetrics: true, rooms: /./ }
			},
			serverOptions: {
				pingInterval: 1000,
				pingTimeout: 5000,
				connectionStateRecovery: { maxDisconnectionDuration: 60_000 }
			}
		});
		collector = setInterval(() => {
			const sample = demo.server.agent?.latestSample();
			if (sample && sample.t !== samples.at(-1)?.t) samples.push(sample);
		}, 100);
		const url = demo.server.url;
		// Bots that stay: they chat, answer presence checks and sit in rooms.
		steady = startBots({ url, count: 14, rate: 120, kinds: ['idle', 'chatty'], failingEvery: 0 });
		// Bots that move and drop (half of the drops come back as recovered sessions), and the
		// client whose handshakes are refused.
		churn = startBots({
			url,
			count: 8,
			rate: 60,
			kinds: ['hopper', 'reconnector'],
			hopEvery: 2,
			reconnectEvery: 2,
			failingEvery: 1
		});
		prometheus = await startPrometheus({
			job: JOB,
			targets: [new URL(url).host],
			ruleFiles: [RULES]
		});
		// A client that uses event names outside the allowlist (their figures fold into `_other`),
		// and asks for acknowledgements the demo never gives (timeouts).
		const probe = await demo.client('/', { name: 'probe' });
		probes.push(probe);
		for (let i = 0; i < 30; i++) probe.emit(`probe:${i}`, i);
		for (let i = 0; i < 3; i++) probe.emit('probe:unanswered', i, () => {});
		await prometheus.waitForScrapes(12, 60_000);
		await resolveVariables(prometheus);
		queries = boardQueries();
	}, 90_000);

	afterAll(async () => {
		clearInterval(collector);
		await Promise.all([steady?.stop(), churn?.stop()]);
		await demo?.close();
		await prometheus?.close();
	});

	test('the board has queries on every part of the metrics, and only known variables', () => {
		expect(queries.length).toBeGreaterThanOrEqual(20);
		const all = queries.map((q) => q.expr).join('\n');
		for (const metric of [
			'socketio_sockets',
			'socketio_connections_total',
			'socketio_connections_recovered_total',
			'socketio_disconnections_total',
			'socketio_connection_errors_total',
			'socketio_events_received_total',
			'socketio_events_sent_total',
			'socketio_bytes_received_total',
			'socketio_bytes_sent_total',
			'socketio_ack_latency_seconds_bucket',
			'socketio_ack_timeouts_total',
			'socketio_heartbeat_rtt_seconds_bucket',
			'socketio_room_broadcasts_total',
			'socketio_room_deliveries_total',
			'process_cpu_seconds_total'
		]) {
			expect(all, metric).toContain(metric);
		}
		expect(all).not.toContain('$');
	});

	test('every panel expression parses in Prometheus', async () => {
		const refused: string[] = [];
		for (const { name, expr } of queries) {
			await prometheus.query(expr).catch((err: Error) => refused.push(`${name}: ${err.message}`));
		}
		expect(refused).toEqual([]);
	});

	test("the demo's traffic reaches every figure: recoveries, timeouts, refusals, _other, rooms, heartbeats", async () => {
		const figures = {
			recovered: 'sum(socketio_connections_recovered_total)',
			'disconnect reasons': 'count(count by (reason) (socketio_disconnections_total))',
			'ack timeouts': 'sum(socketio_ack_timeouts_total)',
			'acks answered': 'sum(socketio_ack_latency_seconds_count)',
			'connection errors': 'sum(socketio_connection_errors_total)',
			'events under _other': 'sum(socketio_events_received_total{event="_other"})',
			'room broadcasts': 'sum(socketio_room_broadcasts_total)',
			'room deliveries': 'sum(socketio_room_deliveries_total)',
			heartbeats: 'sum(socketio_heartbeat_rtt_seconds_count)',
			'process CPU': 'sum(process_cpu_seconds_total)'
		};
		let missing: string[] = [];
		await until(
			'every figure counted',
			async () => {
				missing = [];
				for (const [name, expr] of Object.entries(figures)) {
					const [series] = await prometheus.query(expr);
					const least = name === 'disconnect reasons' ? 2 : 1;
					if (!(Number(series?.value[1]) >= least)) missing.push(name);
				}
				return missing.length === 0 ? true : undefined;
			},
			60_000
		).catch((err: Error) => {
			throw new Error(`${err.message}; still at zero: ${missing.join(', ')}`);
		});
	}, 70_000);

	test('every panel expression returns at least one series with a value', async () => {
		// Waits for the slower figures (a timed-out acknowledgement, a recovered session) to be
		// scraped twice; the message lists the queries still empty.
		let empty: string[] = [];
		await until(
			'every panel expression returning data',
			async () => {
				empty = [];
				for (const { name, expr } of queries) {
					if (!finite(await prometheus.query(expr))) empty.push(`${name}: ${expr}`);
				}
				return empty.length === 0 ? true : undefined;
			},
			60_000
		).catch((err: Error) => {
			throw new Error(`${err.message}; still empty:\n${empty.join('\n')}`);
		});
	}, 90_000);

	test("the board's variables list the demo's job, node and namespaces", () => {
		expect(listed.job).toEqual([JOB]);
		expect(listed.instance).toEqual([new URL(demo.server.url).host]);
		expect(listed.namespace).toEqual(
			expect.arrayContaining(['/', '/support', '/tenant-acme', '/tenant-globex'])
		);
	});

	test('the alert rules evaluate without error on the scraped data', async () => {
		type Rule = { name: string; health: string; lastError?: string; lastEvaluation: string };
		const rules = await until(
			'every rule evaluated',
			async () => {
				const { groups } = await prometheus.api<{ groups: { rules: Rule[] }[] }>('rules');
				const all = groups.flatMap((g) => g.rules);
				return all.length > 0 && all.every((r) => !r.lastEvaluation.startsWith('0001'))
					? all
					: undefined;
			},
			30_000
		);
		expect(rules.length).toBeGreaterThanOrEqual(9);
		expect(rules.filter((r) => r.health !== 'ok')).toEqual([]);
		// The scraped node is up, with its metrics: neither of these fires.
		const { alerts } = await prometheus.api<{ alerts: { labels: { alertname: string } }[] }>(
			'alerts'
		);
		const names = alerts.map((a) => a.labels.alertname);
		expect(names).not.toContain('SocketIONodeDown');
		expect(names).not.toContain('SocketIOMetricsAbsent');
		expect(names).not.toContain('SocketIOJobAbsent');
	}, 40_000);

	test("events per second on the board match the agent's own samples", async () => {
		const panel = queries.find((q) => q.name.startsWith('Events received per second ('))!;
		const window = 20;
		const expr = substitute(
			board.panels.find((p) => p.title === 'Events received per second')!.targets![0].expr,
			`${window}s`
		);
		expect(expr).toBe(panel.expr.replace(RATE_INTERVAL, `${window}s`));
		await prometheus.waitForScrapes(window + 2, 60_000);
		// The board's figure at the time of the last scrape, and the agent's samples over the same
		// seconds (each sample covers the second before its time).
		const [last] = await prometheus.query(`max(timestamp(up{job="${JOB}"}))`);
		const at = Number(last.value[1]);
		const [figure] = await prometheus.query(expr, at);
		await until(
			'a sample past the last scrape',
			async () => (samples.at(-1)!.t >= at * 1000 ? true : undefined),
			10_000
		);
		const inWindow = samples.filter((s) => s.t > (at - window) * 1000 && s.t <= at * 1000);
		const agentRate =
			inWindow.flatMap(allNamespaces).reduce((n, ns) => n + ns.eventsIn, 0) / window;
		const boardRate = Number(figure.value[1]);
		expect(agentRate).toBeGreaterThan(3);
		expect(Math.abs(boardRate - agentRate)).toBeLessThanOrEqual(0.2 * agentRate + 1);
	}, 60_000);

	test("sockets on the board, in total and per namespace, equal the agent's own count", async () => {
		await churn.stop();
		const total = queries.find((q) => q.name === 'Sockets (A)')!.expr;
		const byNamespace = queries.find((q) => q.name === 'Sockets by namespace (A)')!.expr;
		// Once the churn has stopped, the next scrapes see the steady bots and the probe.
		let seen = '';
		await until(
			'the board and the agent counting the same sockets',
			async () => {
				const sample = demo.server.agent!.latestSample()!;
				const agent = allNamespaces(sample).reduce((n, ns) => n + ns.sockets, 0);
				const expected = steady.connected + probes.filter((p) => p.connected).length;
				const [figure] = await prometheus.query(total);
				const perNamespace = Object.fromEntries(
					(await prometheus.query(byNamespace)).map((s) => [s.metric.namespace, Number(s.value[1])])
				);
				const agentPerNamespace = Object.fromEntries(
					allNamespaces(sample)
						.filter((ns) => ns.sockets > 0 || ns.name in perNamespace)
						.map((ns) => [ns.name, ns.sockets])
				);
				seen = JSON.stringify({
					expected,
					agent,
					board: figure?.value[1],
					perNamespace,
					agentPerNamespace
				});
				const same =
					agent === expected &&
					Number(figure?.value[1]) === expected &&
					JSON.stringify(Object.entries(perNamespace).sort()) ===
						JSON.stringify(Object.entries(agentPerNamespace).sort());
				return same ? true : undefined;
			},
			30_000
		).catch((err: Error) => {
			throw new Error(`${err.message}; last seen ${seen}`);
		});
		expect(steady.connected).toBe(14);
	}, 40_000);
});
