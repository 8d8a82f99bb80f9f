/**
 * The Namespaces page's charts: sockets and events in and out per namespace, for the namespaces
 * the list shows that the history keeps (the agent keeps the `TOP_NAMESPACES` largest one by one),
 * so a page costs what it shows, not what the app holds.
 */
import type { TimeDataset } from '$lib/charts/types';
import type { SeriesStore } from '$lib/state/series';
import { TOP_NAMESPACES } from '$protocol/limits';
import { OTHER_NAMESPACES } from '$protocol/vocabulary';

export interface NamespaceChart {
	key: 'sockets' | 'eventsIn' | 'eventsOut';
	title: string;
	note: string;
	/** The namespaces charted, for the chart's label. */
	names: string[];
	datasets: TimeDataset[];
}

const FIGURES = [
	{ key: 'sockets', title: 'Sockets', unit: 'connected' },
	{ key: 'eventsIn', title: 'Events in /s', unit: 'from clients' },
	{ key: 'eventsOut', title: 'Events out /s', unit: 'to clients' }
] as const;

/** The namespaces of `shown` with a series, at most `TOP_NAMESPACES`, in the list's order. */
export function chartedNames(series: SeriesStore, shown: readonly string[]): string[] {
	const kept = new Set(series.keys('sockets:'));
	return shown.filter((n) => n !== OTHER_NAMESPACES && kept.has(n)).slice(0, TOP_NAMESPACES);
}

export function namespaceCharts(
	series: SeriesStore,
	shown: readonly string[],
	since: number
): NamespaceChart[] {
	const names = chartedNames(series, shown);
	const note =
		names.length < shown.filter((n) => n !== OTHER_NAMESPACES).length
			? `by namespace · the ${TOP_NAMESPACES} largest keep a history`
			: 'by namespace';
	return FIGURES.map((f) => ({
		key: f.key,
		title: f.title,
		note: `${f.unit}, ${note}`,
		names,
		datasets: names.map((name, i) => ({
			label: name,
			color: `--series-${(i % 8) + 1}`,
			points: series.points(`${f.key}:${name}`, since)
		}))
	}));
}
