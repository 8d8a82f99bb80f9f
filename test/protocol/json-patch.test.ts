/**
 * Patches of JSON values (samples streamed as what changed): whatever the two values, applying the
 * patch of `next` against `prev` to `prev`, as received over JSON, gives `next`; and a patch of a
 * value that mostly repeats is a fraction of it.
 */
import { describe, expect, test } from 'vitest';
import {
	UNCHANGED,
	applyJsonPatch,
	diffJson,
	type Json
} from '../../server/protocol/json-patch.js';

/** A patch as it arrives: through JSON. */
function roundTrip(prev: Json, next: Json): Json {
	const base = JSON.parse(JSON.stringify(prev)) as Json;
	const d = diffJson(prev, next);
	return d === UNCHANGED ? base : applyJsonPatch(base, JSON.parse(JSON.stringify(d)) as Json);
}

/** A small random generator, seeded, so that a failure can be replayed. */
function random(seed: number) {
	let s = seed;
	return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

const KEYS = ['a', 'b', '~-', '~@', '~=', '~', '__proto__', 'constructor', '0', 'toString'];

const pickKey = (rand: () => number) => KEYS[Math.floor(rand() * KEYS.length)];

/** A key set as JSON.parse sets it: `__proto__` included, as a key of the data. */
function define(object: { [key: string]: Json }, key: string, value: Json): void {
	Object.defineProperty(object, key, {
		value,
		enumerable: true,
		writable: true,
		configurable: true
	});
}

function value(rand: () => number, depth: number): Json {
	const r = rand();
	if (depth <= 0 || r < 0.3) {
		const p = rand();
		return p < 0.25
			? Math.floor(rand() * 5)
			: p < 0.5
				? pickKey(rand)
				: p < 0.7
					? null
					: p < 0.85
						? rand() < 0.5
						: rand() * 100;
	}
	if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => value(rand, depth - 1));
	const object: { [key: string]: Json } = {};
	for (let i = Math.floor(rand() * 4); i > 0; i--) {
		define(object, pickKey(rand), value(rand, depth - 1));
	}
	return object;
}

/** `value` changed here and there, as the next sample of a node changes the last. */
function changed(rand: () => number, v: Json, depth: number): Json {
	if (rand() < 0.15) return value(rand, depth);
	if (Array.isArray(v)) return v.map((item) => changed(rand, item, depth - 1));
	if (v !== null && typeof v === 'object') {
		const next: { [key: string]: Json } = {};
		for (const [k, item] of Object.entries(v)) {
			if (rand() < 0.1) continue;
			define(next, k, changed(rand, item, depth - 1));
		}
		if (rand() < 0.2) define(next, pickKey(rand), value(rand, depth - 1));
		return next;
	}
	return v;
}

describe('json patches', () => {
	test('applying the patch gives the new value, for 20,000 random pairs', () => {
		for (let seed = 1; seed <= 20_000; seed++) {
			const rand = random(seed);
			const prev = value(rand, 4);
			const next = rand() < 0.5 ? value(rand, 4) : changed(rand, prev, 4);
			expect(roundTrip(prev, next), `seed ${seed}`).toEqual(JSON.parse(JSON.stringify(next)));
		}
	});

	test('keys that look like markers, and __proto__, are data', () => {
		const prev: Json = JSON.parse('{"counts":{"~-":1,"~@":2,"__proto__":{"x":1}},"list":[1,2]}');
		const next: Json = JSON.parse(
			'{"counts":{"~-":3,"~=":4,"__proto__":{"x":2}},"list":{"~@":{"0":9}}}'
		);
		const applied = roundTrip(prev, next) as { counts: object; list: unknown };
		expect(applied).toEqual(next);
		expect(Object.getOwnPropertyDescriptor(applied.counts, '__proto__')?.value).toEqual({ x: 2 });
		expect(Object.getPrototypeOf(applied.counts)).toBe(Object.prototype);
		expect(({} as { x?: number }).x).toBeUndefined();
	});

	test('an unchanged value is UNCHANGED, and a patch leaves its base as it was', () => {
		const prev: Json = { a: [1, { b: 2 }], c: 'x' };
		expect(diffJson(prev, JSON.parse(JSON.stringify(prev)))).toBe(UNCHANGED);
		const before = JSON.stringify(prev);
		applyJsonPatch(prev, diffJson(prev, { a: [1, { b: 3 }], d: 1 }) as Json);
		expect(JSON.stringify(prev)).toBe(before);
	});

	test('a value that mostly repeats patches to a fraction of its size', () => {
		const namespace = (i: number, events: number) => ({
			name: `/ns-${i}`,
			sockets: 1000 + i,
			transports: { websocket: 1000 + i, polling: 0, webtransport: 0 },
			eventsIn: events,
			topRooms: [
				{ name: 'lobby', size: 10 },
				{ name: 'room-1', size: 9 }
			]
		});
		const prev: Json = { t: 1000, namespaces: [0, 1, 2, 3].map((i) => namespace(i, 5)) };
		const next: Json = {
			t: 2000,
			namespaces: [0, 1, 2, 3].map((i) => namespace(i, i === 2 ? 7 : 5))
		};
		const patch = JSON.stringify(diffJson(prev, next));
		expect(patch).toBe('{"t":2000,"namespaces":{"~@":{"2":{"eventsIn":7}}}}');
		expect(patch.length).toBeLessThan(JSON.stringify(next).length / 5);
	});
});
