/**
 * What the overview draws, computed from the model once per change: chart datasets over the
 * selected range and the tiles' figures. Pausing freezes the last frame while the model goes on
 * collecting, so resuming shows the present at once.
 */
import type { BarDataset, TimeDataset } from '$lib/charts/types';
import type { Capability } from '$lib/connectors/connector';
import { formatBytes, formatMs, formatPercent, formatRate } from '$lib/format';
import type { DashboardModel } from '$lib/state/model.svelte';
import type { Ranked, Totals } from '$lib/state/nodes';
import type { AckRow } from '$lib/state/acks';
import { CONNECTION_ERROR, type SeriesStore } from '$lib/state/series';
import { TOP_NAMESPACES } from '$protocol/limits';
import { OTHER_NAMESPACES } from '$protocol/vocabulary';
import { href } from '$lib/hash-url';

export interface Frame {
	min: number;
	max: number;
	totals: Totals;
	connectsPerMinute: number;
	disconnectsPerMinute: number;
	/** Sessions that socket.io's connection state recovery brought back, in the last minute. */
	recoveredPerMinute: number;
	sockets: TimeDataset[];
	/** The three rate charts, side by side. */
	rates: RateChart[];
	topEvents: { labels: string[]; datasets: BarDataset[] };
	/** Refused and failed connections per second, by code. */
	failures: RateChart;
	/** The acknowledged events with the slowest p99 over recent samples. */
	slowAcks: { labels: string[]; datasets: BarDataset[] };
	rooms: { labels: string[]; datasets: BarDataset[] };
	transports: { label: string; value: number; color: string }[];
}

export interface RateChart {
	title: string;
	note: string;
	label: string;
	datasets: TimeDataset[];
	format: (value: number) => string;
	stacked?: boolean;
	/** What the source must offer for this chart to mean anything. */
	needs?: Capability;
	/** A link to the clients behind the chart's figures over its window (the Disconnects page). */
	who?: string;
}

/** What each tile needs from the source beyond the samples every source sends. */
export const TILE_NEEDS: Partial<Record<string, Capability>> = {
	rooms: 'rooms',
	'events-in': 'events',
	'events-out': 'events',
	rtt: 'rtt',
	loop: 'process',
	cpu: 'process'
};

const BAD = [
	'--series-bad-1',
	'--series-bad-2',
	'--series-bad-3',
	'--series-bad-4',
	'--series-bad-5'
];

export class OverviewState {
	#frozen = $state.raw<Frame | null>(null);
	readonly frame: Frame = $derived(this.#frozen ?? this.#compute());

	constructor(private readonly model: DashboardModel) {}

	get paused(): boolean {
		return this.#frozen !== null;
	}

	togglePause(): void {
		this.#frozen = this.#frozen ? null : this.#compute();
	}

	#compute(): Frame {
		const { model } = this;
		const series = model.series;
		const { min, max } = model.window;
		const line = (key: string, label: string, color: string, sign = 1): TimeDataset => ({
			label,
			color,
			points:
				sign === 1
					? series.points(key, min)
					: series.points(key, min).map((p) => ({ x: p.x, y: -p.y }))
		});
		const manyNamespaces = model.totals.namespaces.length > 1;
		const failureCodes = series.keys(CONNECTION_ERROR);
		return {
			min,
			max,
			totals: model.totals,
			connectsPerMinute: series.total('connects', max - 60_000),
			disconnectsPerMinute: series.total('disconnects', max - 60_000),
			recoveredPerMinute: series.total('recovered', max - 60_000),
			sockets: chartedNamespaces(series, min).map((ns, i) =>
				line(`sockets:${ns}`, ns, `--series-${(i % 8) + 1}`)
			),
			rates: [
				{
					title: 'Connections /s',
					note: 'connects and recovered sessions ↑ · disconnects ↓ by reason',
					label: 'Connects and disconnects per second',
					stacked: true,
					// The chart's window, to the second: the page lists who dropped in it, by reason.
					who: href('/disconnects', { since: String(Math.floor(min / 1000) * 1000) }),
					format: formatRate,
					datasets: [
						line('connects', 'connects', '--series-connect'),
						// A recovered session is the same socket continuing: charted apart from new ones.
						...(series.total('recovered', min) > 0
							? [line('recovered', 'recovered', '--series-recovered')]
							: []),
						...series.keys('reason:').map((r, i) => ({
							...line(`reason:${r}`, r, BAD[i % BAD.length], -1),
							fromZero: i === 0
						}))
					]
				},
				{
					title: 'Events /s',
					note: 'emits in and out',
					needs: 'events',
					label: 'Events per second, in and out',
					format: formatRate,
					datasets: [
						line('eventsIn', 'in', '--series-in'),
						line('eventsOut', 'out', '--series-out')
					]
				},
				{
					title: 'Bytes /s',
					note: 'on the wire',
					label: 'Bytes per second, in and out',
					format: formatBytes,
					datasets: [line('bytesIn', 'in', '--series-in'), line('bytesOut', 'out', '--series-out')]
				}
			],
			topEvents: bars(model.topEvents, manyNamespaces, true),
			failures: {
				title: 'Failed connections /s',
				note: 'refused by middleware or the engine, by code',
				needs: 'connection-errors',
				// The codes in the label too: a screen reader cannot read the legend on the canvas.
				label: `Refused and failed connections per second, by code: ${failureCodes.join(', ') || 'none'}`,
				format: formatRate,
				stacked: true,
				datasets: failureCodes.map((code, i) =>
					line(`${CONNECTION_ERROR}${code}`, code, BAD[i % BAD.length])
				)
			},
			slowAcks: slowest(model.acks, manyNamespaces),
			rooms: bars(model.topRooms, manyNamespaces, false),
			transports: [
				{ label: 'WebSocket', value: model.totals.transports.websocket, color: '--series-1' },
				{ label: 'polling', value: model.totals.transports.polling, color: '--series-4' },
				{ label: 'WebTransport', value: model.totals.transports.webtransport, color: '--series-3' }
			]
				.filter((s) => s.value > 0 || s.label !== 'WebTransport')
				.map((s) => ({ ...s, label: `${s.label} · ${s.value}` }))
		};
	}
}

function bars(items: Ranked[], withNamespace: boolean, inOut: boolean) {
	const labels = items.map((r) => (withNamespace ? `${r.name} · ${r.namespace}` : r.name));
	const datasets: BarDataset[] = inOut
		? [
				{ label: 'in', data: items.map((r) => r.in ?? 0), color: '--series-in' },
				{ label: 'out', data: items.map((r) => r.out ?? 0), color: '--series-out' }
			]
		: [{ label: 'members', data: items.map((r) => r.value), color: '--series-3' }];
	return { labels, datasets };
}

/** Acknowledgement latency of the slowest events: p50 and p99, in milliseconds. */
function slowest(rows: AckRow[], withNamespace: boolean) {
	const top = rows.filter((r) => r.p99 !== null).slice(0, 6);
	const labels = top.map(
		(r) =>
			`${r.name} ${r.direction === 'in' ? '← client' : '→ client'}${withNamespace ? ` · ${r.namespace}` : ''}`
	);
	const datasets: BarDataset[] = [
		{ label: 'p50', data: top.map((r) => r.p50 ?? 0), color: '--series-in' },
		{ label: 'p99', data: top.map((r) => r.p99 ?? 0), color: '--series-out' }
	];
	return { labels, datasets };
}

/** The tiles, in order: label, value, hint and tone, from one frame. */
export function tilesOf(f: Frame) {
	const t = f.totals;
	const cpuTone = t.cpu === null ? undefined : t.cpu > 85 ? 'bad' : t.cpu > 60 ? 'warn' : 'good';
	const loopTone =
		t.loopDelayP99 === null
			? undefined
			: t.loopDelayP99 > 100
				? 'bad'
				: t.loopDelayP99 > 30
					? 'warn'
					: 'good';
	return [
		{ id: 'sockets', label: 'Sockets', value: String(t.sockets), hint: websocketShare(t) },
		{
			id: 'namespaces',
			label: 'Namespaces',
			value: String(t.namespaceCount),
			hint: moreNamespaces(t)
		},
		{ id: 'rooms', label: 'Rooms', value: String(t.rooms) },
		{
			id: 'events-in',
			label: 'Events in /s',
			value: formatRate(t.eventsIn),
			hint: `${formatBytes(t.bytesIn)}/s`
		},
		{
			id: 'events-out',
			label: 'Events out /s',
			value: formatRate(t.eventsOut),
			hint: `${formatBytes(t.bytesOut)}/s`
		},
		{
			id: 'bytes',
			label: 'Bytes /s',
			value: formatBytes(t.bytesIn + t.bytesOut),
			hint: 'in + out'
		},
		{
			id: 'connects',
			label: 'Connects /min',
			value: formatRate(f.connectsPerMinute),
			...(f.recoveredPerMinute > 0 && {
				hint: `+ ${formatRate(f.recoveredPerMinute)} recovered`
			})
		},
		{ id: 'disconnects', label: 'Disconnects /min', value: formatRate(f.disconnectsPerMinute) },
		{
			id: 'rtt',
			label: 'Heartbeat RTT p50',
			value: formatMs(t.rttP50),
			hint: `p99 ${formatMs(t.rttP99)}`
		},
		{ id: 'loop', label: 'Loop delay p99', value: formatMs(t.loopDelayP99), tone: loopTone },
		{ id: 'cpu', label: 'CPU (busiest node)', value: formatPercent(t.cpu), tone: cpuTone },
		{
			id: 'nodes',
			label: 'Nodes up',
			value: `${t.nodesUp} / ${t.nodesKnown}`,
			tone: t.nodesUp < t.nodesKnown ? 'bad' : 'good'
		}
	] as const;
}

/**
 * The namespaces the sockets chart stacks: the `TOP_NAMESPACES` with the most sockets now, and
 * the folded rest. The agent sends no more than these at a time, but which ones they are changes
 * over a range: every name ever seen would make the legend grow with the tenants.
 */
function chartedNamespaces(series: SeriesStore, since: number): string[] {
	const latest = (name: string) => series.points(`sockets:${name}`, since).at(-1)?.y ?? 0;
	const names = series.keys('sockets:').filter((n) => n !== OTHER_NAMESPACES);
	const top = names
		.map((name) => ({ name, now: latest(name) }))
		.sort((a, b) => b.now - a.now || (a.name < b.name ? -1 : 1))
		.slice(0, TOP_NAMESPACES)
		.map((n) => n.name)
		.sort();
	return series.keys('sockets:').includes(OTHER_NAMESPACES) ? [...top, OTHER_NAMESPACES] : top;
}

/**
 * How many namespaces the Overview shows one by one and how many more there are: a multi-tenant
 * app's thousands are folded into one row, listed on the Namespaces page.
 */
export function moreNamespaces(t: Totals): string | undefined {
	const named = t.namespaces.filter((n) => n.name !== OTHER_NAMESPACES).length;
	const more = t.namespaceCount - named;
	return more > 0 ? `largest ${named} charted · ${more} more` : undefined;
}

/** The sockets chart's note: stacked, and how many namespaces are folded into one band. */
export function socketsNote(t: Totals): string {
	const more = moreNamespaces(t);
	return more ? `stacked · ${more} as “${OTHER_NAMESPACES}”` : 'stacked';
}

function websocketShare(t: Totals): string {
	if (t.sockets === 0) return 'no sockets';
	return `${Math.round((100 * t.transports.websocket) / t.sockets)} % WebSocket`;
}
