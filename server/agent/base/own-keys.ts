/**
 * What the host and its dashboards give the agent is read by own properties only. A library (or a
 * test suite, as socket.io's does) may have put enumerable keys on `Object.prototype`; those keys
 * are the host's business, not an option or a request field. The validation library iterates with
 * `for…in` and reads missing fields through the prototype chain, so both the values it checks and
 * the values it returns are plain objects rebuilt here without a prototype.
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

/**
 * Runs `build` (the construction of validation schemas) with the enumerable keys of
 * `Object.prototype` made non-enumerable for its duration, then restores each one exactly.
 *
 * Why: zod installs each schema class's methods the first time the class is instantiated, with a
 * `for…in` over its own table of members, and takes `Object.getOwnPropertyDescriptor(table, key).get`
 * for each key; an inherited enumerable key has no own descriptor, so building any schema while
 * the prototype is polluted throws (`Cannot read properties of undefined (reading 'get')`), and so
 * would importing the agent. `z.object()` also walks its shape with `for…in`. Hiding the keys from
 * `for…in` for the length of a synchronous call is the one way to build the schemas without
 * patching zod: no other code runs meanwhile, and each property keeps its value and descriptor.
 * On a clean prototype (the usual case) this is one `Object.keys` and nothing else. A key that
 * cannot be redefined (non-configurable) is left alone: `build` then fails as it would have.
 */
export function withPlainPrototype<T>(build: () => T): T {
	const polluted = Object.keys(Object.prototype);
	if (polluted.length === 0) return build();
	const hidden: string[] = [];
	for (const key of polluted) {
		const descriptor = Object.getOwnPropertyDescriptor(Object.prototype, key);
		if (!descriptor?.configurable) continue;
		Object.defineProperty(Object.prototype, key, {
			__proto__: null,
			enumerable: false
		} as PropertyDescriptor);
		hidden.push(key);
	}
	try {
		return build();
	} finally {
		for (const key of hidden) {
			Object.defineProperty(Object.prototype, key, {
				__proto__: null,
				enumerable: true
			} as PropertyDescriptor);
		}
	}
}
