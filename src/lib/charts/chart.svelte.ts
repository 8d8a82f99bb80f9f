/**
 * Chart.js, registered with only what the dashboard draws, and the one lifecycle every chart
 * follows: created once when its canvas is attached, updated in place (`update('none')`, no
 * animation) by a nested effect, destroyed when the canvas goes.
 */
import {
	ArcElement,
	BarController,
	BarElement,
	CategoryScale,
	Chart,
	DoughnutController,
	Filler,
	Legend,
	LineController,
	LineElement,
	LinearScale,
	PointElement,
	Tooltip,
	type ChartConfiguration,
	type ChartType
} from 'chart.js';
import { untrack } from 'svelte';
import type { Attachment } from 'svelte/attachments';

Chart.register(
	ArcElement,
	BarController,
	BarElement,
	CategoryScale,
	DoughnutController,
	Filler,
	Legend,
	LineController,
	LineElement,
	LinearScale,
	PointElement,
	Tooltip
);

/** Colours of the current theme, read from the CSS custom properties in app.css. */
export interface Palette {
	text: string;
	muted: string;
	grid: string;
	surface: string;
	font: string;
	color(name: string): string;
}

export function readPalette(): Palette {
	const style = getComputedStyle(document.documentElement);
	const v = (name: string) => style.getPropertyValue(name).trim();
	return {
		text: v('--text'),
		muted: v('--text-muted'),
		grid: v('--chart-grid'),
		surface: v('--surface'),
		font: style.fontFamily,
		color: (name) => v(name) || v('--series-1')
	};
}

/** A colour with transparency, from `#rrggbb` or `rgb(...)`. */
export function alpha(color: string, a: number): string {
	const hex = /^#([0-9a-f]{6})$/i.exec(color);
	if (hex) {
		const n = parseInt(hex[1], 16);
		return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
	}
	return color.replace(/^rgb\(([^)]+)\)$/, `rgba($1, ${a})`);
}

/** Axis, legend and tooltip colours and fonts of the theme, applied to a chart in place. */
export function applyPalette(chart: Chart, p: Palette): void {
	const o = chart.options;
	for (const scale of Object.values(o.scales ?? {})) {
		if (!scale) continue;
		if (scale.ticks) scale.ticks.color = p.muted;
		if (scale.grid) scale.grid.color = p.grid;
		if ('border' in scale && scale.border) scale.border.color = p.grid;
	}
	const legend = o.plugins?.legend;
	if (legend?.labels) legend.labels.color = p.text;
	const tooltip = o.plugins?.tooltip;
	if (tooltip) {
		tooltip.backgroundColor = p.surface;
		tooltip.titleColor = p.text;
		tooltip.bodyColor = p.text;
		tooltip.borderColor = p.grid;
		tooltip.borderWidth = 1;
	}
}

/** Options every chart shares: no animation, fills its box, quiet axes. */
export function baseOptions(): ChartConfiguration['options'] {
	return {
		animation: false,
		responsive: true,
		maintainAspectRatio: false,
		normalized: true,
		interaction: { mode: 'index', intersect: false },
		plugins: {
			legend: {
				position: 'bottom',
				labels: { boxWidth: 10, boxHeight: 10, padding: 12, font: { size: 11 } }
			},
			tooltip: { padding: 8, boxPadding: 4 }
		}
	};
}

/**
 * The attachment of a chart: `build` runs once (untracked); `sync` runs in an effect, so it
 * re-runs whenever the state it reads changes, and ends with an update without animation.
 */
export function chartAttachment<T extends ChartType>(
	build: () => ChartConfiguration<T>,
	sync: (chart: Chart<T>) => void
): Attachment<HTMLCanvasElement> {
	return (canvas) => {
		const chart = untrack(() => new Chart(canvas, build()));
		$effect(() => {
			sync(chart);
			chart.update('none');
		});
		return () => chart.destroy();
	};
}
