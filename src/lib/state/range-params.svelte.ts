/**
 * The charts' time window in the URL, so a zoomed view can be shared: `range` (a preset ending
 * now) or `from` and `to` (an absolute span, set by dragging on a chart or by the range picker).
 * The layout follows them on every page; a page without `from` and `to` shows a range again.
 */
import { untrack } from 'svelte';
import type { HistoryRange } from '$protocol/models';
import { param, setParams } from '$lib/url-state';
import { RANGES, type DashboardModel } from './model.svelte';
import { spanOfParams } from './time-range';

/** For the layout: loads the window the URL names whenever it changes. */
export function followRange(model: DashboardModel): void {
	$effect(() => {
		const span = spanOfParams(param('from'), param('to'));
		const wanted = param('range');
		untrack(() => {
			const range = wanted in RANGES ? (wanted as HistoryRange) : model.range;
			// Not connected yet: the snapshot loads what was chosen (asking now would fail).
			if (!model.snapshot) return model.choose(range, span);
			if (span) {
				const shown = model.span;
				if (shown?.from !== span.from || shown?.to !== span.to) void model.loadSpan(span);
				return;
			}
			if (model.span || range !== model.range) void model.loadRange(range);
		});
	});
}

/** Shows `min` to `max` on every time chart of the page (whole milliseconds, as the URL holds them). */
export function zoomTo(min: number, max: number): Promise<void> {
	return setParams({ from: String(Math.floor(min)), to: String(Math.ceil(max)) });
}

/** Back to the range ending now. */
export function resetZoom(): Promise<void> {
	return setParams({ from: null, to: null });
}

export function showRange(range: HistoryRange): Promise<void> {
	return setParams({ range, from: null, to: null });
}
