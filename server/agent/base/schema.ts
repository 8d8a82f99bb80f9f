/**
 * The agent's validation: schemas for options and requests, each parse answering with the first
 * problem found, by path, in words an operator can act on, and the parsed value's type inferred
 * from the schema. Written here rather than taken from a library: the agent checks a few dozen
 * plain shapes (bounded strings and numbers, enums, lists, strict objects, unions), for which zod
 * added 8.6 MB to every install and, walking its own tables with `for…in`, broke under a polluted
 * `Object.prototype`. Everything here reads own properties only. Requests are parsed when they
 * arrive (rate-limited), options once: nothing here runs per packet.
 */
import { quoteList, unknownKeyMessage } from './did-you-mean.js';

export type Path = (string | number)[];

/**
 * A problem with a value. `type`: not the kind of value wanted at all; `value`: not the literal or
 * enum member wanted; `check`: the right kind, failing a bound or a rule; `unknown_key`: a field
 * the schema does not have (`keys`), among those it has (`known`); `union`: no branch took it, with
 * the first problem each branch found.
 */
export interface Issue {
	kind: 'type' | 'value' | 'check' | 'unknown_key' | 'union';
	path: Path;
	message: string;
	keys?: string[];
	known?: string[];
	branches?: Issue[];
}

export type Result<T> = { success: true; data: T } | { success: false; issue: Issue };

type Outcome = { ok: true; value: unknown } | { ok: false; issue: Issue };

/** A problem a refinement found, with a path below the refined value's own. */
export type Problem = { path?: Path; message: string };

const ok = (value: unknown): Outcome => ({ ok: true, value });
const fail = (kind: Issue['kind'], path: Path, message: string): Outcome => ({
	ok: false,
	issue: { kind, path, message }
});

/**
 * A value of the wrong kind, or none where one is needed. Only a value that missed an enum is
 * quoted: a string given where a number or a switch goes may be a secret in the wrong place.
 */
function wrong(kind: Issue['kind'], path: Path, expected: string, value: unknown): Outcome {
	if (value === undefined) return fail(kind, path, `is required (${expected})`);
	const got = kind === 'value' ? shown(value) : describe(value);
	return fail(kind, path, `must be ${expected}; got ${got}`);
}

/** What a value is, in a message: `got a string`. */
function describe(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
	switch (typeof value) {
		case 'string':
			return 'a string';
		case 'number':
			return 'a number';
		case 'boolean':
			return String(value);
		case 'function':
			return 'a function';
		default:
			return typeof value === 'object' ? 'an object' : typeof value;
	}
}

/** A wrong value in a message: a short string as itself, anything else by its kind. */
function shown(value: unknown): string {
	if (typeof value !== 'string') return describe(value);
	return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

export abstract class Schema<T> {
	/** The parsed value's type, for `Infer`; never set. */
	declare readonly _output: T;
	/** What the schema wants, in words (`a string`), for the messages of unions. */
	abstract readonly expected: string;

	/** Checks `value` at `path`: the value to return, or the first problem. */
	abstract run(value: unknown, path: Path): Outcome;

	safeParse(value: unknown): Result<T> {
		const outcome = this.run(value, []);
		return outcome.ok
			? { success: true, data: outcome.value as T }
			: { success: false, issue: outcome.issue };
	}

	/** Absent (or `undefined`) is allowed, and left out of the object parsed. */
	optional(): OptionalSchema<T> {
		return new OptionalSchema(this);
	}

	/** Absent (or `undefined`) is replaced by `value` (or what the function returns). */
	default(value: T | (() => T)): Schema<T> {
		return new DefaultSchema(this, value);
	}

	/** A further rule on a value of the right shape, with the problem to report when it fails. */
	refine(test: (value: T) => boolean, problem: string | Problem): Schema<T> {
		const found: Problem = typeof problem === 'string' ? { message: problem } : problem;
		return this.check((value) => (test(value) ? null : found));
	}

	/** A further rule that says itself what is wrong (null: nothing). */
	check(rule: (value: T) => Problem | null): Schema<T> {
		return new RefinedSchema(this, rule);
	}
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

export class OptionalSchema<T> extends Schema<T | undefined> {
	readonly isOptional = true;
	constructor(readonly inner: Schema<T>) {
		super();
	}
	get expected() {
		return this.inner.expected;
	}
	run(value: unknown, path: Path): Outcome {
		return value === undefined ? ok(undefined) : this.inner.run(value, path);
	}
}

export class DefaultSchema<T> extends Schema<T> {
	constructor(
		readonly inner: Schema<T>,
		private readonly fallback: T | (() => T)
	) {
		super();
	}
	get expected() {
		return this.inner.expected;
	}
	run(value: unknown, path: Path): Outcome {
		if (value !== undefined) return this.inner.run(value, path);
		return ok(typeof this.fallback === 'function' ? (this.fallback as () => T)() : this.fallback);
	}
}

export class RefinedSchema<T> extends Schema<T> {
	constructor(
		readonly inner: Schema<T>,
		private readonly rule: (value: T) => Problem | null
	) {
		super();
	}
	get expected() {
		return this.inner.expected;
	}
	run(value: unknown, path: Path): Outcome {
		const outcome = this.inner.run(value, path);
		if (!outcome.ok) return outcome;
		const problem = this.rule(outcome.value as T);
		return problem ? fail('check', [...path, ...(problem.path ?? [])], problem.message) : outcome;
	}
}

/** A schema for one kind of value (`typeof`), with rules added one at a time. */
export abstract class Checked<T, Self extends Checked<T, Self>> extends Schema<T> {
	constructor(protected readonly rules: readonly ((value: T) => string | null)[] = []) {
		super();
	}
	protected abstract accepts(value: unknown): value is T;
	protected abstract with(rules: readonly ((value: T) => string | null)[]): Self;

	protected rule(test: (value: T) => boolean, message: string): Self {
		return this.with([...this.rules, (value) => (test(value) ? null : message)]);
	}

	run(value: unknown, path: Path): Outcome {
		if (!this.accepts(value)) {
			return wrong('type', path, this.expected, value);
		}
		for (const rule of this.rules) {
			const message = rule(value);
			if (message) return fail('check', path, message);
		}
		return ok(value);
	}
}

export class StringSchema extends Checked<string, StringSchema> {
	readonly expected = 'a string';
	protected accepts(value: unknown): value is string {
		return typeof value === 'string';
	}
	protected with(rules: readonly ((value: string) => string | null)[]) {
		return new StringSchema(rules);
	}
	min(length: number, message?: string) {
		const fallback = length === 1 ? 'must not be empty' : `must be at least ${length} characters`;
		return this.rule((s) => s.length >= length, message ?? fallback);
	}
	max(length: number, message?: string) {
		return this.rule((s) => s.length <= length, message ?? `must be at most ${length} characters`);
	}
	startsWith(prefix: string) {
		return this.rule((s) => s.startsWith(prefix), `must start with ${JSON.stringify(prefix)}`);
	}
	regex(pattern: RegExp, message: string) {
		return this.rule((s) => pattern.test(s), message);
	}
}

export class NumberSchema extends Checked<number, NumberSchema> {
	readonly expected = 'a number';
	/** Finite only: NaN and Infinity are not figures any option or request means. */
	protected accepts(value: unknown): value is number {
		return typeof value === 'number' && Number.isFinite(value);
	}
	protected with(rules: readonly ((value: number) => string | null)[]) {
		return new NumberSchema(rules);
	}
	int() {
		return this.rule(Number.isSafeInteger, 'must be an integer');
	}
	min(bound: number) {
		return this.rule((n) => n >= bound, `must be at least ${bound}`);
	}
	max(bound: number) {
		return this.rule((n) => n <= bound, `must be at most ${bound}`);
	}
	positive() {
		return this.rule((n) => n > 0, 'must be greater than 0');
	}
}

export class ArraySchema<T> extends Checked<T[], ArraySchema<T>> {
	constructor(
		readonly item: Schema<T>,
		readonly expected: string = 'a list',
		rules: readonly ((value: T[]) => string | null)[] = []
	) {
		super(rules);
	}
	protected accepts(value: unknown): value is T[] {
		return Array.isArray(value);
	}
	protected with(rules: readonly ((value: T[]) => string | null)[]) {
		return new ArraySchema(this.item, this.expected, rules);
	}
	min(length: number, message?: string) {
		const fallback = length === 1 ? 'must not be empty' : `must have at least ${length} items`;
		return this.rule((a) => a.length >= length, message ?? fallback);
	}
	max(length: number, message?: string) {
		return this.rule((a) => a.length <= length, message ?? `must have at most ${length} items`);
	}
	run(value: unknown, path: Path): Outcome {
		// The bounds first, so that a list too long is refused before its items are walked.
		const outer = super.run(value, path);
		if (!outer.ok) return outer;
		const list = value as unknown[];
		const out = new Array<unknown>(list.length);
		for (let i = 0; i < list.length; i++) {
			const inner = this.item.run(list[i], [...path, i]);
			if (!inner.ok) return inner;
			out[i] = inner.value;
		}
		return ok(out);
	}
}

export class TupleSchema<T extends unknown[]> extends Schema<T> {
	readonly expected: string;
	constructor(private readonly items: Schema<unknown>[]) {
		super();
		this.expected = `a list of ${items.length} items`;
	}
	run(value: unknown, path: Path): Outcome {
		if (!Array.isArray(value) || value.length !== this.items.length) {
			return wrong('type', path, this.expected, value);
		}
		const out: unknown[] = [];
		for (let i = 0; i < this.items.length; i++) {
			const inner = this.items[i].run(value[i], [...path, i]);
			if (!inner.ok) return inner;
			out.push(inner.value);
		}
		return ok(out);
	}
}

/** Passes whatever `test` accepts, as it is (a Registry, a RegExp, a function). */
export class CustomSchema<T> extends Schema<T> {
	constructor(
		private readonly test: (value: unknown) => boolean,
		readonly expected: string,
		private readonly message?: string
	) {
		super();
	}
	run(value: unknown, path: Path): Outcome {
		if (this.test(value)) return ok(value);
		return this.message
			? fail('type', path, this.message)
			: wrong('type', path, this.expected, value);
	}
}

export class EnumSchema<T extends string | boolean> extends Schema<T> {
	readonly expected: string;
	constructor(
		private readonly values: readonly T[],
		private readonly message?: string
	) {
		super();
		this.expected = values.length === 1 ? String(values[0]) : `one of ${quoteList(values)}`;
	}
	run(value: unknown, path: Path): Outcome {
		if ((this.values as readonly unknown[]).includes(value)) return ok(value);
		return this.message
			? fail('value', path, this.message)
			: wrong('value', path, this.expected, value);
	}
}

type Shape = Record<string, Schema<unknown>>;
type Flat<T> = { [K in keyof T]: T[K] };
type OptionalKeys<S extends Shape> = {
	[K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never;
}[keyof S];
export type ObjectOutput<S extends Shape> = Flat<
	{ [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & {
		[K in OptionalKeys<S>]?: Infer<S[K]>;
	}
>;

/**
 * An object of the fields of `shape`. Strict: another field is an `unknown_key` issue (a misspelt
 * field is an error, not ignored); not strict: other fields are dropped. Fields are read as own
 * properties only, so a key inherited from `Object.prototype` is neither a field nor an unknown one.
 */
export class ObjectSchema<S extends Shape> extends Schema<ObjectOutput<S>> {
	readonly expected = 'an object';
	private readonly keys: string[];
	constructor(
		readonly shape: S,
		private readonly strict: boolean
	) {
		super();
		this.keys = Object.keys(shape);
	}
	omit<K extends keyof S & string>(...names: K[]): ObjectSchema<Omit<S, K>> {
		const shape: Shape = {};
		for (const key of this.keys) if (!names.includes(key as K)) shape[key] = this.shape[key];
		return new ObjectSchema(shape as Omit<S, K>, this.strict);
	}
	run(value: unknown, path: Path): Outcome {
		const proto =
			typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : undefined;
		if (Array.isArray(value) || (proto !== Object.prototype && proto !== null)) {
			return wrong('type', path, this.expected, value);
		}
		const input = value as Record<string, unknown>;
		if (this.strict) {
			const unknown = Object.keys(input).filter((key) => !Object.hasOwn(this.shape, key));
			if (unknown.length) {
				const issue: Issue = {
					kind: 'unknown_key',
					path,
					message: unknownKeyMessage('field', unknown[0], this.keys),
					keys: unknown,
					known: this.keys
				};
				return { ok: false, issue };
			}
		}
		const out: Record<string, unknown> = {};
		for (const key of this.keys) {
			const given = Object.hasOwn(input, key) ? input[key] : undefined;
			const inner = this.shape[key].run(given, [...path, key]);
			if (!inner.ok) return inner;
			if (inner.value !== undefined || Object.hasOwn(input, key)) out[key] = inner.value;
		}
		return ok(out);
	}
}

/** The first of `branches` that takes the value; else a `union` issue holding each one's problem. */
export class UnionSchema<T> extends Schema<T> {
	readonly expected: string;
	constructor(
		private readonly branches: Schema<unknown>[],
		private readonly message?: string
	) {
		super();
		this.expected = branches.map((b) => b.expected).join(' or ');
	}
	run(value: unknown, path: Path): Outcome {
		const problems: Issue[] = [];
		for (const branch of this.branches) {
			const outcome = branch.run(value, path);
			if (outcome.ok) return outcome;
			problems.push(outcome.issue);
		}
		const outcome = this.message
			? fail('union', path, this.message)
			: wrong('union', path, this.expected, value);
		if (!outcome.ok) outcome.issue.branches = problems;
		return outcome;
	}
}

/** `limits.burst: must be …`, or `root: …` for the value itself. */
export function issueText(issue: Issue, root: string): string {
	return `${issue.path.length ? issue.path.join('.') : root}: ${issue.message}`;
}

const isFunction = (value: unknown): boolean => typeof value === 'function';

/** The schema builders, named as the kinds of value they check. */
export const v = {
	string: () => new StringSchema(),
	number: () => new NumberSchema(),
	boolean: () => new CustomSchema<boolean>((value) => typeof value === 'boolean', 'true or false'),
	literal: <T extends string | boolean>(value: T) => new EnumSchema<T>([value]) as Schema<T>,
	enum: <const T extends string>(values: readonly T[], message?: string) =>
		new EnumSchema<T>(values, message) as Schema<T>,
	array: <T>(item: Schema<T>, expected?: string) => new ArraySchema(item, expected),
	tuple: <const S extends Schema<unknown>[]>(items: S) =>
		new TupleSchema<{ [I in keyof S]: Infer<S[I]> }>(items),
	object: <S extends Shape>(shape: S) => new ObjectSchema(shape, false),
	strictObject: <S extends Shape>(shape: S) => new ObjectSchema(shape, true),
	union: <S extends Schema<unknown>[]>(branches: [...S], message?: string) =>
		new UnionSchema<Infer<S[number]>>(branches, message),
	unknown: () => new CustomSchema<unknown>(() => true, 'anything'),
	function: () => new CustomSchema<(...args: never[]) => unknown>(isFunction, 'a function'),
	instanceOf: <T>(type: abstract new (...args: never[]) => T, expected: string) =>
		new CustomSchema<T>((value) => value instanceof type, expected),
	custom: <T>(test: (value: unknown) => boolean, expected: string, message?: string) =>
		new CustomSchema<T>(test, expected, message)
};
