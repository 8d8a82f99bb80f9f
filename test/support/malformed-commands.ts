/**
 * A deterministic generator of malformed commands: a valid payload of a random command, then one
 * mutation that must make it invalid (wrong type, missing field, unknown field, oversize, prototype
 * key, too deep, reserved name, …). Valid payloads aim at a socket and rooms that do not exist, so
 * a mutation that failed to invalidate would show as E_NOT_FOUND, not act. The socket commands
 * only: `sessions:end` has its own tests (auth.test.ts).
 */
import { COMMAND_EVENTS, type SocketCommandName as CommandName } from '../../server/protocol/commands.js';
import { MAX_EMIT_ARGS_BYTES, MAX_ROOM_NAME } from '../../server/protocol/limits.js';
import { RESERVED_EVENTS } from './dashboard-client.js';

export type Random = () => number;

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seeded(seed: number): Random {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)];

type Payload = Record<string, unknown>;

const VALID: Record<CommandName, () => Payload> = {
	'socket:disconnect': () => ({ namespace: '/', id: 'ghost', reason: 'r', close: false }),
	'socket:join': () => ({ namespace: '/', id: 'ghost', room: 'r' }),
	'socket:leave': () => ({ namespace: '/', id: 'ghost', room: 'r' }),
	'socket:move': () => ({ namespace: '/', id: 'ghost', from: 'r', to: 't' }),
	'emit:send': () => ({
		namespace: '/',
		room: 'ghost-room',
		except: ['e'],
		event: 'ev',
		args: [1, 'two', { three: [3] }]
	}),
	'room:move': () => ({ namespace: '/', room: 'ghost-room', to: 't', dryRun: true }),
	'room:disconnect': () => ({
		namespace: '/',
		room: 'ghost-room',
		reason: 'x',
		dryRun: true,
		rate: 5
	})
};

const REQUIRED: Record<CommandName, string[]> = {
	'socket:disconnect': ['namespace', 'id'],
	'socket:join': ['namespace', 'id', 'room'],
	'socket:leave': ['namespace', 'id', 'room'],
	'socket:move': ['namespace', 'id', 'from', 'to'],
	'emit:send': ['namespace', 'event', 'args'],
	'room:move': ['namespace', 'room', 'to'],
	'room:disconnect': ['namespace', 'room']
};

const WRONG: Record<string, unknown[]> = {
	string: [42, true, null, {}, [], ['x'], 0],
	boolean: ['yes', 1, null, {}, 'true'],
	number: ['5', 0, -1, 1.5, null, 1e9, true],
	args: ['x', {}, null, 3, true],
	except: ['e', [1], null, [{}], {}, [null]]
};

function kind(field: string): keyof typeof WRONG {
	if (field === 'close' || field === 'dryRun') return 'boolean';
	if (field === 'rate') return 'number';
	if (field === 'args' || field === 'except') return field;
	return 'string';
}

/** Builds a nested value `depth` levels deep around `inner`. */
function nest(depth: number, inner: unknown, random: Random): unknown {
	let value = inner;
	for (let i = 0; i < depth; i++) value = random() < 0.5 ? [value] : { k: value };
	return value;
}

type Mutation = (
	random: Random,
	name: CommandName,
	p: Payload
) => { name: CommandName; payload: unknown };

const MUTATIONS: Mutation[] = [
	function wrongType(random, name, p) {
		const field = pick(random, Object.keys(p));
		return { name, payload: { ...p, [field]: pick(random, WRONG[kind(field)]) } };
	},
	function missingField(random, name, p) {
		const copy = { ...p };
		delete copy[pick(random, REQUIRED[name])];
		return { name, payload: copy };
	},
	function unknownField(random, name, p) {
		const key = pick(random, ['extra', 'Namespace', 'ids', 'constructor', 'toString', 'target']);
		return { name, payload: { ...p, [key]: pick(random, [1, 'x', null, {}]) } };
	},
	function prototypeKeyOnTop(random, name, p) {
		const key = pick(random, ['__proto__', 'constructor', 'prototype']);
		return {
			name,
			payload: JSON.parse(JSON.stringify(p).replace(/^\{/, `{"${key}":{"polluted":true},`))
		};
	},
	function oversizeName(random, name, p) {
		const fields = Object.keys(p).filter((f) => kind(f) === 'string');
		const field = pick(random, fields);
		const long = 'x'.repeat(MAX_ROOM_NAME + 1 + Math.floor(random() * 2000));
		return { name, payload: { ...p, [field]: field === 'namespace' ? `/${long}` : long } };
	},
	function badNamespace(random, name, p) {
		return { name, payload: { ...p, namespace: pick(random, ['', 'chat', ' /', 'x/y']) } };
	},
	function notAnObject(random, name) {
		return { name, payload: pick(random, [null, 42, 'socket', [], [{ namespace: '/' }], true, 0]) };
	},
	function prototypeKeyInArgs(random) {
		const key = pick(random, ['__proto__', 'constructor', 'prototype']);
		const evil = JSON.parse(`{"${key}":{"isAdmin":true}}`);
		const args = [1, nest(Math.floor(random() * 10), evil, random)];
		return { name: 'emit:send', payload: { ...VALID['emit:send'](), args } };
	},
	function oversizeArgs(random) {
		const size = MAX_EMIT_ARGS_BYTES + 1 + Math.floor(random() * 10_000);
		return { name: 'emit:send', payload: { ...VALID['emit:send'](), args: ['x'.repeat(size)] } };
	},
	function tooDeep(random) {
		const args = [nest(40 + Math.floor(random() * 60), 'deep', random)];
		return { name: 'emit:send', payload: { ...VALID['emit:send'](), args } };
	},
	function binaryArgs() {
		return {
			name: 'emit:send',
			payload: { ...VALID['emit:send'](), args: [Buffer.from('bytes')] }
		};
	},
	function reservedEvent(random) {
		const event = pick(random, RESERVED_EVENTS);
		return { name: 'emit:send', payload: { ...VALID['emit:send'](), event } };
	},
	function socketAndRoom() {
		return { name: 'emit:send', payload: { ...VALID['emit:send'](), socket: 'ghost' } };
	},
	function selfDefeating(random) {
		return pick(random, [
			{ name: 'room:move' as const, payload: { namespace: '/', room: 'same', to: 'same' } },
			{ name: 'socket:leave' as const, payload: { namespace: '/', id: 'ghost', room: 'ghost' } },
			{ name: 'room:disconnect' as const, payload: { namespace: '/', room: 'r', rate: 0 } }
		]);
	}
];

export interface Malformed {
	name: CommandName;
	payload: unknown;
	/** Sent without an acknowledgement callback. */
	noAck: boolean;
}

export function* malformedCommands(count: number, random: Random): Generator<Malformed> {
	for (let i = 0; i < count; i++) {
		const name = pick(random, COMMAND_EVENTS);
		const mutated = pick(random, MUTATIONS)(random, name, VALID[name]());
		yield { ...mutated, noAck: random() < 0.05 };
	}
}
