/**
 * `otel: true` as an app exports it: the packed tarball installed beside the OpenTelemetry SDK and
 * its Prometheus exporter (`@opentelemetry/exporter-prometheus`), the exporter's page and the
 * agent's own `/metrics` on the app's server. Real clients connect, emit,
 * acknowledge both ways, let an acknowledgement time out, get refused and disconnect; then every
 * series of the agent's exposition comes out of the exporter under the same name, with the same
 * labels and value (histograms: the same buckets, counts and sums), and the exporter has no other.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest';
import { familiesOf, SOCKETIO_FAMILIES } from '../support/metric-families.js';
import { connectClient } from '../support/util.js';
import { installApp, INSTALL_TIMEOUT, packTarball, startApp, type Packed } from './tarball.js';

/**
 * The app: the SDK set up first (the agent takes its meter from the global provider when
 * `instrument()` runs), the exporter's page at /otel beside the agent's /metrics.
 */
const OTEL_APP = `
import { createServer } from 'node:http';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Server } from 'socket.io';
import { instrument } from 'sockscope';

const exporter = new PrometheusExporter({ preventServerStart: true });
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));

const httpServer = createServer((req, res) => {
	if (req.url === '/otel') return exporter.getMetricsRequestHandler(req, res);
	res.writeHead(404).end('app 404');
});
// Heartbeats every 300 ms, so that the RTT histogram has values.
const io = new Server(httpServer, { pingInterval: 300, pingTimeout: 5000 });
instrument(io, {
	auth: false,
	dashboard: false,
	otel: true,
	ackTimeout: 500,
	metrics: { path: '/metrics', rooms: ['lobby'] }
});
io.of('/locked').use((_socket, next) => next(new Error('not today')));
io.on('connection', (socket) => {
	socket.join('lobby');
	socket.on('quick', (done) => done());
	// The server asks back, with an acknowledgement: answered or left to time out by the client.
	socket.on('ask me', () => socket.emit('ask', () => {}));
	socket.on('shout', () => io.to('lobby').emit('news', 'x'));
});
httpServer.listen(0, '127.0.0.1', () => console.log('port ' + httpServer.address().port));
`;

/**
 * The SDK as npm installed it on 2026-12-06 (its latest releases): the exporter's 0.x line moves
 * with the SDK's, and a new line is taken on purpose, here, since its naming may change with it.
 */
const OTEL = [
	'@opentelemetry/api@^1.9.0',
	'@opentelemetry/sdk-metrics@~2.12.0',
	'@opentelemetry/exporter-prometheus@~0.223.0'
];

/** Labels the exporter puts on every series (the instrumentation scope), not the agent's. */
const SCOPE_LABELS = ['otel_scope_name', 'otel_scope_version', 'otel_scope_schema_url'];

let packed: Packed;
let app: string;

beforeAll(async () => {
	packed = await packTarball();
	app = await installApp(packed.work, { type: 'module' }, [
		packed.tarball,
		'socket.io@~4.8.0',
		'prom-client@^15.1.3',
		...OTEL
	]);
	await writeFile(join(app, 'server.mjs'), OTEL_APP);
}, INSTALL_TIMEOUT);

afterAll(async () => {
	await packed?.dispose();
});

/** Every series of a Prometheus text exposition, comments and `target_info` left out. */
function parseExposition(text: string): { series: Map<string, number>; scopes: Set<string> } {
	const series = new Map<string, number>();
	const scopes = new Set<string>();
	for (const line of text.split('\n')) {
		const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
		if (!match || match[1] === 'target_info') continue;
		const [, name, labels = '', value] = match;
		const pairs: string[] = [];
		const scope: string[] = [];
		for (const [, k, v] of labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
			(SCOPE_LABELS.includes(k) ? scope : pairs).push(`${k}="${v}"`);
		}
		if (scope.length) scopes.add(scope.sort().join(','));
		// `name{label="value",…}`, labels sorted, so that both pages spell a series alike.
		series.set(`${name}{${pairs.sort().join(',')}}`, value === '+Inf' ? Infinity : Number(value));
	}
	return { series, scopes };
}

/** What differs between the two expositions, one line per series; empty when they agree. */
function differences(agent: Map<string, number>, exporter: Map<string, number>): string[] {
	const out: string[] = [];
	for (const [key, value] of agent) {
		const other = exporter.get(key);
		if (other === undefined) out.push(`${key} ${value}: not in the exporter's`);
		// Sums of seconds are added up in another order on each side: the last bits may differ.
		else if (Math.abs(other - value) > 1e-9 * Math.max(1, Math.abs(value))) {
			out.push(`${key}: ${value} in /metrics, ${other} in the exporter's`);
		}
	}
	for (const [key, value] of exporter) {
		if (!agent.has(key)) out.push(`${key} ${value}: only in the exporter's`);
	}
	return out;
}

test("every series of the agent's /metrics comes out of the SDK's Prometheus exporter with the same name, labels and value", async () => {
	const { base } = await startApp(['server.mjs'], app);
	const clients: Socket[] = [];
	onTestFinished(() => clients.forEach((c) => c.disconnect()));
	const client = async (nsp = '/') => {
		const socket = await connectClient(`${base}${nsp}`);
		clients.push(socket);
		return socket;
	};
	const [a, b] = [await client(), await client()];
	(await client()).disconnect();
	// a answers the server's `ask`; b has no handler for it, so that acknowledgement times out.
	a.on('ask', (done: () => void) => done());
	for (let i = 0; i < 12; i++) await a.emitWithAck('quick');
	a.emit('ask me');
	b.emit('ask me');
	a.emit('shout');
	await expect(client('/locked')).rejects.toThrow('not today');
	await expect(client('/gone')).rejects.toThrow();

	const scrape = async (path: string) => parseExposition(await (await fetch(base + path)).text());
	// Every figure there first (the timeout is counted by the next sweep, an RTT needs its pong)…
	await expect
		.poll(
			async () => {
				const { series } = await scrape('/metrics');
				return {
					quick: series.get(
						'socketio_ack_latency_seconds_count{direction="in",event="quick",namespace="/"}'
					),
					asked: series.get(
						'socketio_ack_latency_seconds_count{direction="out",event="ask",namespace="/"}'
					),
					timeouts: series.get(
						'socketio_ack_timeouts_total{direction="out",event="ask",namespace="/"}'
					),
					lobby: series.get('socketio_room_broadcasts_total{namespace="/",room="lobby"}'),
					rtt: (series.get('socketio_heartbeat_rtt_seconds_count{}') ?? 0) > 0,
					codes: [...series.keys()].filter((k) => k.startsWith('socketio_connection_errors_total'))
						.length,
					gone: series.get(
						'socketio_disconnections_total{namespace="/",reason="client namespace disconnect"}'
					)
				};
			},
			{ timeout: 20_000 }
		)
		.toEqual({ quick: 12, asked: 1, timeouts: 1, lobby: 1, rtt: true, codes: 2, gone: 1 });
	// …then a moment when both pages agree: a heartbeat may land between the two reads.
	let exported = await scrape('/otel');
	await expect
		.poll(
			async () => {
				const agent = await scrape('/metrics');
				exported = await scrape('/otel');
				return differences(agent.series, exported.series);
			},
			{ timeout: 20_000 }
		)
		.toEqual([]);

	// Every family of the exposition, none left to one side: the comparison covered them all.
	expect(familiesOf(exported.series.keys())).toEqual(SOCKETIO_FAMILIES);
	// The exporter's own scope labels: the agent's meter, at the installed package's version.
	expect([...exported.scopes]).toEqual([
		expect.stringMatching(/^otel_scope_name="sockscope",otel_scope_version="\d+\.\d+\.\d+"$/)
	]);
}, 60_000);
