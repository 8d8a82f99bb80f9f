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
	let i = top.length;
	while (i > 0 && top[i - 1].score < score) i--;
	top.splice(i, 0, { item, score });
	if (top.length > limit) top.pop();
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
	let i = top.length;
	while (i > 0 && compare(item, top[i - 1]) < 0) i--;
	top.splice(i, 0, item);
	if (top.length > limit) top.pop();
}

/** A name cut to `max` characters, its last one an ellipsis when cut. */
export function truncateName(name: string, max = MAX_NAME_IN_SAMPLE): string {
	return name.length > max ? `${name.slice(0, max - 1)}…` : name;
}
