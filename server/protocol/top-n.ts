/** Short top lists and short names: the shapes that keep a sample's size bounded. */
import { MAX_NAME_IN_SAMPLE } from './limits.js';

export interface Scored<T> {
	item: T;
	score: number;
}

/**
 * Keeps in `top` (largest score first) the `limit` best items seen, without sorting the stream:
 * O(limit) per item at worst, nothing for an item below the list. Items scoring 0 or less are
 * left out.
 */
export function keepTop<T>(top: Scored<T>[], item: T, score: number, limit: number): void {
	if (score <= 0 || (top.length === limit && score <= top[top.length - 1].score)) return;
	const entry = { item, score };
	// The last place (a new one, or the one of the item that drops out), then moved up in place:
	// `splice` made an array of what it removed on every call, thousands a second at many namespaces.
	let i = top.length < limit ? top.push(entry) - 1 : limit - 1;
	while (i > 0 && top[i - 1].score < score) {
		top[i] = top[i - 1];
		i--;
	}
	top[i] = entry;
}

/**
 * Keeps in `top` the `limit` first items seen in `compare`'s order, without sorting the stream:
 * what `keepTop` does for items that are ranked by more than one number (or by a name), where a
 * zero still ranks (an idle namespace is still one of the largest by sockets).
 */
export function keepFirst<T>(
	top: T[],
	item: T,
	compare: (a: T, b: T) => number,
	limit: number
): void {
	if (top.length === limit && compare(item, top[top.length - 1]) >= 0) return;
	// As in `keepTop`: into the last place, then moved up in place.
	let i = top.length < limit ? top.push(item) - 1 : limit - 1;
	while (i > 0 && compare(item, top[i - 1]) < 0) {
		top[i] = top[i - 1];
		i--;
	}
	top[i] = item;
}

/** A name cut to `max` characters, its last one an ellipsis when cut. */
export function truncateName(name: string, max = MAX_NAME_IN_SAMPLE): string {
	return name.length > max ? `${name.slice(0, max - 1)}…` : name;
}
