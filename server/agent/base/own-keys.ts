/**
 * What the host and its dashboards give the agent is read by own properties only. A library (or a
 * test suite, as socket.io's does) may have put enumerable keys on `Object.prototype`; those keys
 * are the host's business, not an option or a request field. The validation (schema.ts) reads own
 * properties only; the values it checks and the values it returns are also rebuilt here without a
 * prototype, so that code reading a field left out gets undefined, never an inherited key.
 */

/** Deeper than any option or request: beyond it a value is passed on as it is, for validation to refuse. */
const MAX_DEPTH = 64;

/**
 * A copy of `value` in which every plain object (prototype `Object.prototype` or none) is a
 * null-prototype object holding its own enumerable string keys, and every array a new array.
 * Anything else (functions, class instances such as an http.Server or a Redis client, RegExps) is
 * kept as it is: the agent uses them, it does not walk them. A key such as `__proto__` stays an own
 * key of the copy (a null-prototype object has no `__proto__` setter), so the checks that refuse
 * it still see it.
 */
export function ownCopy<T>(value: T, depth = 0): T {
	if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
	if (Array.isArray(value)) {
		const out = new Array(value.length);
		for (let i = 0; i < value.length; i++) out[i] = ownCopy(value[i], depth + 1);
		return out as T;
	}
	const proto = Object.getPrototypeOf(value);
	if (proto !== Object.prototype && proto !== null) return value;
	const out = Object.create(null) as Record<string, unknown>;
	for (const key of Object.keys(value)) {
		out[key] = ownCopy((value as Record<string, unknown>)[key], depth + 1);
	}
	return out as T;
}
