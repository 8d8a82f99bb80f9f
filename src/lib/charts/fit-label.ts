/**
 * A category name cut to a width, at its end: Chart.js right-aligns a y axis's labels against the
 * axis and gives the axis at most half the chart, so a longer label would lose its start off the
 * canvas's left edge. The whole name stays in the tooltip.
 */

/** What Chart.js spends beside a y axis's labels: tick padding on both sides and the tick mark. */
const AXIS_EXTRA = 18;
/** Beyond this, the bars of a wide chart would be squeezed for the sake of one long name. */
const MOST = 280;

/** The width a y axis's label may take on a chart `chartWidth` wide. */
export function labelRoom(chartWidth: number): number {
	return Math.max(0, Math.min(chartWidth / 2 - AXIS_EXTRA, MOST));
}

/** `text` whole if it fits `room`, else its longest start that fits with an ellipsis. */
export function fitLabel(text: string, room: number, measure: (text: string) => number): string {
	if (measure(text) <= room) return text;
	// Code points, so that an emoji is never cut in half.
	const chars = Array.from(text);
	let lo = 0;
	let hi = chars.length - 1;
	while (lo < hi) {
		const mid = Math.ceil((lo + hi) / 2);
		if (measure(`${chars.slice(0, mid).join('').trimEnd()}…`) <= room) lo = mid;
		else hi = mid - 1;
	}
	return `${chars.slice(0, lo).join('').trimEnd()}…`;
}
