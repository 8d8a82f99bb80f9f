/**
 * Markers that fall on the same spot of a chart, drawn as one line: "3 kicks: alice, bob, carol",
 * with each one's words in its tooltip. Which markers coincide depends on the chart's width and
 * window, so the grouping is done on pixels, after each layout.
 */
import type { Marker } from '$lib/state/markers.svelte';

/** Markers closer than this, in pixels, share one line. */
export const MARKER_SPACING = 6;
/** Names listed in a group's title; the rest are counted. */
const NAMED = 3;
/** Markers spelt out in a group's tooltip; the rest are counted. */
const LISTED = 8;

export interface MarkerGroup {
	/** The first marker's id: stable while the group holds it. */
	id: string;
	x: number;
	markers: Marker[];
	/** One line for the whole group: the marker's own text, or what and whom, counted. */
	title: string;
	/** The markers' texts, the first `LISTED`, then how many more. */
	lines: string[];
	bad: boolean;
}

/** What each command is called in a group's title, one and many. */
const NOUNS: Record<string, [string, string]> = {
	'socket:disconnect': ['kick', 'kicks'],
	'room:disconnect': ['room kick', 'room kicks'],
	'socket:join': ['join', 'joins'],
	'socket:leave': ['leave', 'leaves'],
	'socket:move': ['move', 'moves'],
	'room:move': ['room move', 'room moves'],
	'emit:send': ['test event', 'test events'],
	'sessions:end': ['sessions ended', 'sessions ended']
};

/** Markers at their pixel, in time order, folded where they lie within `spacing` of a group's first. */
export function groupMarkers(
	markers: readonly Marker[],
	pixelOf: (t: number) => number,
	spacing = MARKER_SPACING
): MarkerGroup[] {
	const groups: { x: number; markers: Marker[] }[] = [];
	for (const marker of [...markers].sort((a, b) => a.t - b.t)) {
		const x = pixelOf(marker.t);
		const last = groups.at(-1);
		if (last && x - last.x < spacing) last.markers.push(marker);
		else groups.push({ x, markers: [marker] });
	}
	return groups.map(({ x, markers }) => ({
		id: markers[0].id,
		x,
		markers,
		title: groupTitle(markers),
		lines: linesOf(markers),
		bad: markers.some((m) => m.bad)
	}));
}

/** `3 kicks: alice, bob, carol`, `5 kicks: alice, bob, carol and 2 more`, `2 admin actions: …`. */
export function groupTitle(markers: readonly Marker[]): string {
	if (markers.length === 1) return markers[0].text;
	const commands = new Set(markers.map((m) => m.command));
	const [command] = commands;
	const noun = commands.size === 1 ? (NOUNS[command]?.[1] ?? command) : 'admin actions';
	const names = [...new Set(markers.map((m) => m.name))];
	const shown = names.slice(0, NAMED).join(', ');
	const more = names.length > NAMED ? ` and ${names.length - NAMED} more` : '';
	return `${markers.length} ${noun}: ${shown}${more}`;
}

function linesOf(markers: readonly Marker[]): string[] {
	if (markers.length === 1) return [];
	const lines = markers.slice(0, LISTED).map((m) => m.text);
	if (markers.length > LISTED) lines.push(`and ${markers.length - LISTED} more`);
	return lines;
}
