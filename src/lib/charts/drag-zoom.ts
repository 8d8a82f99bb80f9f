/**
 * Drag to zoom on a time chart, with Chart.js's own plugin hooks: press inside the plot, drag
 * across, release, and `onzoom` gets the times under both ends. The selection is drawn as a band
 * while dragging; a drag shorter than a few pixels is a click and zooms nothing.
 */
import type { Chart, Plugin } from 'chart.js';

/** Shorter drags are clicks (a hover that wobbled), not a choice of window. */
const MIN_DRAG_PX = 5;

/** The pointer events the chart must listen to for the plugin: Chart.js's defaults, and press and release. */
export const ZOOM_EVENTS = [
	'mousemove',
	'mouseout',
	'click',
	'touchstart',
	'touchmove',
	'mousedown',
	'mouseup'
] as const;

export function dragZoom(
	/** Called with the window chosen; read at each release, so it may change. */
	onzoom: () => ((min: number, max: number) => void) | undefined,
	/** The band's colour. */
	fill: () => string
): Plugin<'line'> {
	let start: number | null = null;
	let end = 0;
	const inside = (chart: Chart, x: number, y: number) => {
		const a = chart.chartArea;
		return x >= a.left && x <= a.right && y >= a.top && y <= a.bottom;
	};
	const clamp = (chart: Chart, x: number) =>
		Math.min(Math.max(x, chart.chartArea.left), chart.chartArea.right);
	return {
		id: 'dragZoom',
		beforeEvent(chart, args) {
			const { type, x, y } = args.event;
			if (x === null || y === null || !onzoom()) return;
			if (type === 'mousedown' && inside(chart, x, y)) {
				start = end = x;
			} else if (type === 'mousemove' && start !== null) {
				end = clamp(chart, x);
				args.changed = true;
			} else if (type === 'mouseup' && start !== null) {
				const [from, to] = [Math.min(start, end), Math.max(start, end)];
				start = null;
				args.changed = true;
				if (to - from < MIN_DRAG_PX) return;
				const scale = chart.scales.x;
				onzoom()?.(scale.getValueForPixel(from)!, scale.getValueForPixel(to)!);
			} else if (type === 'mouseout' && start !== null) {
				start = null;
				args.changed = true;
			}
		},
		afterDatasetsDraw(chart) {
			if (start === null || start === end) return;
			const { ctx, chartArea } = chart;
			ctx.save();
			ctx.fillStyle = fill();
			ctx.fillRect(
				Math.min(start, end),
				chartArea.top,
				Math.abs(end - start),
				chartArea.bottom - chartArea.top
			);
			ctx.restore();
		}
	};
}
