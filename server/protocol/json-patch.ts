/**
 * A JSON value as what changed since the previous one, for streams where most of each message
 * repeats the last (a node's sample: one a second, most figures steady). The receiver holds the
 * previous value exactly as it arrived and applies the patch to it; the sender diffs against that
 * same value, round-tripped through JSON, so both sides always agree on it.
 *
 * A patch is the new value itself, except where both values are objects, or arrays of the same
 * length: then it holds only what changed, recursively.
 * - An object patch has one key per changed key, its value that key's own patch; keys that went
 *   are listed under `~-`. Keys of the value that begin with `~` get one more `~`, so that no key
 *   of the data (a client's error message, say) is read as a marker.
 * - An array patch is `{ "~@": { index: patch } }`.
 * - An object that replaces an array, or has a key `~=` of its own, is sent as `{ "~=": value }`:
 *   the cases where the bare object would be read as a patch.
 */

/** Any value JSON carries. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const GONE = '~-';
const ITEMS = '~@';
const WHOLE = '~=';

/** Returned by `diffJson` when nothing changed. */
export const UNCHANGED: unique symbol = Symbol('unchanged');

/** What changed from `prev` to `next` (both as JSON carries them), or `UNCHANGED`. */
export function diffJson(prev: Json | undefined, next: Json): Json | typeof UNCHANGED {
	if (prev === next) return UNCHANGED;
	if (isObject(prev) && isObject(next)) {
		const patch: { [key: string]: Json } = {};
		let changed = false;
		for (const key of Object.keys(next)) {
			const d = diffJson(own(prev, key), next[key]);
			if (d === UNCHANGED) continue;
			setOwn(patch, escapeKey(key), d);
			changed = true;
		}
		const gone = Object.keys(prev).filter((key) => !Object.hasOwn(next, key));
		if (gone.length > 0) {
			patch[GONE] = gone;
			changed = true;
		}
		return changed ? patch : UNCHANGED;
	}
	if (Array.isArray(prev) && Array.isArray(next) && prev.length === next.length) {
		const items: { [index: string]: Json } = {};
		let changed = false;
		next.forEach((item, i) => {
			const d = diffJson(prev[i], item);
			if (d === UNCHANGED) return;
			items[i] = d;
			changed = true;
		});
		return changed ? { [ITEMS]: items } : UNCHANGED;
	}
	// An object in place of an array, or one with a key that reads as the marker, goes wrapped.
	if (isObject(next) && (Array.isArray(prev) || Object.hasOwn(next, WHOLE)))
		return { [WHOLE]: next };
	return next;
}

/** `prev` with `patch` applied; `prev` itself is left as it was. */
export function applyJsonPatch(prev: Json | undefined, patch: Json): Json {
	if (!isObject(patch)) return patch;
	if (Object.hasOwn(patch, WHOLE)) return patch[WHOLE];
	if (Array.isArray(prev)) {
		const items = patch[ITEMS];
		if (!isObject(items)) return patch;
		const next = prev.slice();
		for (const [index, d] of Object.entries(items)) {
			const i = Number(index);
			if (Number.isInteger(i) && i >= 0 && i < next.length) next[i] = applyJsonPatch(next[i], d);
		}
		return next;
	}
	if (!isObject(prev)) return patch;
	const next: { [key: string]: Json } = { ...prev };
	for (const [key, d] of Object.entries(patch)) {
		if (key === GONE) continue;
		const real = unescapeKey(key);
		setOwn(next, real, applyJsonPatch(own(prev, real), d));
	}
	const gone = patch[GONE];
	if (Array.isArray(gone)) for (const key of gone) if (typeof key === 'string') delete next[key];
	return next;
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Defined, not assigned: a key of the data named `__proto__` is data like any other. */
function setOwn(object: { [key: string]: Json }, key: string, value: Json): void {
	Object.defineProperty(object, key, {
		value,
		enumerable: true,
		writable: true,
		configurable: true
	});
}

function own(value: { [key: string]: Json }, key: string): Json | undefined {
	return Object.hasOwn(value, key) ? value[key] : undefined;
}

function escapeKey(key: string): string {
	return key.startsWith('~') ? `~${key}` : key;
}

function unescapeKey(key: string): string {
	return key.startsWith('~') ? key.slice(1) : key;
}
