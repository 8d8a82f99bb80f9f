/**
 * Every place the agent touches a part of socket.io that is private or undocumented, in one
 * module, each with why. socket.io may change any of them in a minor release, so `checkSeam()`
 * tries each once when `instrument()` runs: a touch point that no longer behaves as expected
 * turns off the figures that depend on it, with a logged reason, and never throws into the host.
 *
 * The touch points:
 * 1. `io._nsps`: the only list of the namespaces that exist already. Read, and written once, to
 *    remove the agent's own namespace on `close()`.
 * 2. The adapter's `broadcast` and `apply`: broadcasts are the one thing no event reports. The
 *    agent wraps `broadcast` to count them and `apply` (private in the typings, but in every
 *    adapter since socket.io 4.0), which a broadcast calls to reach each local recipient.
 * 3. The default parser's wire format, which the engine collector reads events from (wire.ts),
 *    or socket.io-msgpack-parser's, which it reads acks and refusals from (msgpack-format.ts).
 *    With another parser, whose packets it cannot read, the encoder (`io.encoder`) is wrapped to
 *    see the one packet no hook reports: the `connect_error` of a connection a middleware refused.
 * 4. The engine.io server as the engine collector uses it (`clients`, its `connection` and
 *    `flush` events), typed in socket.io as a plain `Server` without `flush`.
 * 5. Whether an adapter reaches other nodes, found from its prototype chain.
 * 6. `io.opts.connectionStateRecovery` (also `io._opts`): whether a dropped socket's session may
 *    come back, and for how long (socket.io fills in its default duration there). Public as an
 *    option, undocumented as the server's field.
 */
import createDebug from 'debug';
import type { Namespace, Server } from 'socket.io';
import type { EngineServer } from './collectors/engine.js';
import type { Faults } from '../base/faults.js';
import { MsgpackPacket } from './msgpack-format.js';

const debug = createDebug('sockscope:seam');

/** What the self-check found: which figures can be read the usual way. */
export interface SeamCheck {
	/** Namespaces that existed before `instrument()` can be listed (touch point 1). */
	namespaces: boolean;
	/** Broadcasts and their recipients can be counted (touch point 2). */
	broadcasts: boolean;
	/** Events are read from the wire; otherwise socket.io's `onAny` hooks count them (3). */
	wireEvents: boolean;
	/** The parser writes msgpack packets, read for acks and refusals (3). */
	msgpackWire: boolean;
	/** Why anything is off, one line each, as logged. */
	problems: string[];
}

/** Runs every check once; `warn` is told each problem. Never throws. */
export function checkSeam(io: Server, warn: (problem: string) => void): SeamCheck {
	const problems: string[] = [];
	const problem = (text: string) => {
		problems.push(text);
		warn(text);
	};
	const namespaces = tryCheck(() => nspsOf(io)?.get('/') === io.sockets);
	if (!namespaces) {
		problem(
			'socket.io no longer lists its namespaces in `io._nsps`: only `/` and namespaces created from now on are watched, and commands reach only `/`'
		);
	}
	const broadcasts = tryCheck(() => broadcastCallsApply(io.sockets.adapter));
	if (!broadcasts) {
		problem(
			"the adapter's `broadcast` no longer reaches sockets through `apply`: broadcasts and their recipients are not counted"
		);
	}
	// Another parser (msgpack, say) is a choice, not a fault: its events are counted by the hooks.
	const wireEvents = tryCheck(() => usesDefaultWireFormat(io));
	if (!wireEvents) debug('parser writes another wire format: events counted by socket hooks');
	const msgpackWire = !wireEvents && tryCheck(() => usesMsgpackWireFormat(io));
	if (msgpackWire) debug('parser writes msgpack: acks and refusals read from its packets');
	const engine = io.engine as unknown;
	if (engine !== undefined && !isEngineServer(engine)) {
		problem(
			'the engine.io server is not as expected (no `clients` or `on`): bytes, round-trips and refused connections are not measured'
		);
	}
	return { namespaces, broadcasts, wireEvents, msgpackWire, problems };
}

function tryCheck(check: () => boolean): boolean {
	try {
		return check();
	} catch (err) {
		debug('check failed: %O', err);
		return false;
	}
}

// 1. `io._nsps` -------------------------------------------------------------------------------

function nspsOf(io: Server): Map<string, Namespace> | undefined {
	const nsps = (io as unknown as { _nsps?: unknown })._nsps;
	return nsps instanceof Map ? (nsps as Map<string, Namespace>) : undefined;
}

/** Every namespace that exists now; `/` alone if socket.io no longer lists them. */
export function existingNamespaces(io: Server): Namespace[] {
	const nsps = nspsOf(io);
	return nsps ? [...nsps.values()] : [io.sockets];
}

/**
 * The namespace of that name if it exists, never created: `io.of(name)` with a name a dashboard
 * sent would create it.
 */
export function namespaceNamed(io: Server, name: string): Namespace | undefined {
	const nsps = nspsOf(io);
	if (nsps) return nsps.get(name);
	return name === '/' ? io.sockets : undefined;
}

/** Whether a namespace was removed or replaced since; never, as far as is known without the list. */
export function isGone(io: Server, nsp: Namespace): boolean {
	const nsps = nspsOf(io);
	return nsps !== undefined && nsps.get(nsp.name) !== nsp;
}

/**
 * Removes a namespace from socket.io's list and closes its adapter. socket.io has no public call
 * for it; this is what it does itself for empty child namespaces, and it lets a later
 * `instrument()` start clean. Closing the adapter matters on a cluster: a Redis adapter left open
 * stays subscribed to the namespace's channels, and a cluster adapter (the streams adapter) keeps
 * sending heartbeats, so that the other nodes go on counting it and wait for its answers.
 */
export function forgetNamespace(io: Server, nsp: Namespace, failed: (err: unknown) => void): void {
	const nsps = nspsOf(io);
	if (nsps?.get(nsp.name) !== nsp) return;
	nsps.delete(nsp.name);
	try {
		Promise.resolve(nsp.adapter.close()).catch(failed);
	} catch (err) {
		failed(err);
	}
}

// 2. The adapter's `broadcast` and `apply` ----------------------------------------------------

type Adapter = Namespace['adapter'];
type Broadcast = Adapter['broadcast'];
type BroadcastWithAck = Adapter['broadcastWithAck'];
type Packet = Parameters<Broadcast>[0];
type AnyBroadcast = (this: Adapter, packet: Packet, opts: object, ...rest: unknown[]) => unknown;
type Apply = (this: Adapter, opts: object, callback: (socket: unknown) => void) => unknown;
type Applying = { apply?: Apply };

/**
 * Whether `broadcast` hands its options to `apply`, tried on a room nobody is in, local only (so a
 * cluster adapter publishes nothing): the packet is encoded once and reaches no socket.
 */
function broadcastCallsApply(adapter: Adapter): boolean {
	const applying = adapter as unknown as Applying;
	const original = applying.apply;
	if (typeof original !== 'function' || typeof adapter.broadcast !== 'function') return false;
	const opts = {
		rooms: new Set([`sockscope:probe:${Math.random()}`]),
		except: new Set<string>(),
		flags: { local: true }
	};
	let applied = false;
	applying.apply = function (this: Adapter, o, callback) {
		if (o === opts) applied = true;
		return original.call(this, o, callback);
	};
	try {
		adapter.broadcast({ type: 2, nsp: adapter.nsp.name, data: ['sockscope:probe'] }, opts);
	} finally {
		delete applying.apply;
		// An adapter that had its own `apply` property, not its prototype's, gets it back.
		if (applying.apply !== original) applying.apply = original;
	}
	return applied;
}

export interface BroadcastCounter {
	/** A broadcast was sent. */
	broadcast(): void;
	/** A broadcast reached one local socket. */
	recipient(): void;
	/** A broadcast has reached this node's sockets (the event log's one entry for it). */
	sent?(packet: { type: number; data?: unknown[] }, opts: object): void;
}

/**
 * Wraps an adapter's `broadcast` and `broadcastWithAck` (`io.timeout(…).emit(…, callback)`) to count
 * broadcasts, and its `apply` to count their recipients: a broadcast calls `apply` with the same
 * options (at once, or after publishing to the cluster).
 * Returns what undoes the wrapping, which leaves in place any wrapper added after ours.
 */
export function wrapBroadcasts(
	adapter: Adapter,
	counter: BroadcastCounter,
	faults: Faults
): () => void {
	const applying = adapter as unknown as Applying;
	const originalApply = applying.apply;
	const pending = new WeakSet<object>();
	const wrap = <F extends Broadcast | BroadcastWithAck>(original: F): F =>
		function (this: Adapter, packet: Packet, opts: object, ...rest: unknown[]) {
			try {
				counter.broadcast();
				pending.add(opts);
			} catch (err) {
				faults.record('broadcast', err);
			}
			const result = (original as AnyBroadcast).call(this, packet, opts, ...rest);
			if (counter.sent === undefined) return result;
			try {
				counter.sent(packet as { type: number; data?: unknown[] }, opts);
			} catch (err) {
				faults.record('broadcast sent', err);
			}
			return result;
		} as F;
	const broadcast = wrap(adapter.broadcast);
	// An adapter of before socket.io 4.5 has no `broadcastWithAck`: nothing to wrap.
	const withAck =
		typeof adapter.broadcastWithAck === 'function' ? wrap(adapter.broadcastWithAck) : undefined;
	const apply: Apply = function (this: Adapter, opts, callback) {
		if (!pending.has(opts)) return originalApply!.call(this, opts, callback);
		pending.delete(opts);
		return originalApply!.call(this, opts, (socket) => {
			counter.recipient();
			callback(socket);
		});
	};
	adapter.broadcast = broadcast;
	if (withAck) adapter.broadcastWithAck = withAck;
	if (typeof originalApply === 'function') applying.apply = apply;
	// Undone in the reverse order: V8 takes an object's last-added property back by returning to
	// its earlier shape, where deleting any other turns the adapter into a slower dictionary.
	return () => {
		if (applying.apply === apply) delete applying.apply;
		if (withAck && adapter.broadcastWithAck === withAck)
			delete (adapter as Partial<Adapter>).broadcastWithAck;
		if (adapter.broadcast === broadcast) delete (adapter as Partial<Adapter>).broadcast;
	};
}

// 3. The default parser's wire format ---------------------------------------------------------

/** Whether the server's parser writes the format wire.ts reads (a custom one, e.g. msgpack, may not). */
function usesDefaultWireFormat(io: Server): boolean {
	const encoded = io.encoder.encode({ type: 2, nsp: '/probe', data: ['e', 1] });
	return encoded.length === 1 && encoded[0] === '2/probe,["e",1]';
}

/**
 * Whether the server's parser writes msgpack packets that msgpack-format.ts reads back as written:
 * an event with an ack id and its ack, with socket.io's key order.
 */
function usesMsgpackWireFormat(io: Server): boolean {
	const encode = (packet: object): unknown => {
		const encoded = io.encoder.encode(packet as Parameters<Server['encoder']['encode']>[0]);
		return Array.isArray(encoded) && encoded.length === 1 ? encoded[0] : undefined;
	};
	const event = encode({ type: 2, data: ['e', 1], id: 300, nsp: '/probe' });
	const ack = encode({ id: 7, type: 3, data: [], nsp: '/probe' });
	const readsBack = (encoded: unknown, type: number, id: number, name?: string) => {
		const p = new MsgpackPacket();
		return (
			encoded instanceof Uint8Array &&
			p.read(encoded) &&
			p.type === type &&
			p.isFor('/probe') &&
			p.id === id &&
			(name === undefined || p.hasName(name))
		);
	};
	return readsBack(event, 2, 300, 'e') && readsBack(ack, 3, 7);
}

const CONNECT_ERROR = 4;

type Encode = (packet: { type: number; nsp: string }) => unknown;

/**
 * Calls `refused` with the namespace of every `connect_error` the server encodes. Returns what
 * undoes it, leaving in place any wrapper added after this one.
 */
export function watchConnectErrors(
	io: Server,
	refused: (namespace: string) => void,
	faults: Faults
): () => void {
	const encoder = io.encoder as unknown as { encode?: Encode };
	const original = encoder.encode;
	if (typeof original !== 'function') return () => {};
	const encode: Encode = function (this: unknown, packet) {
		try {
			if (packet?.type === CONNECT_ERROR) refused(packet.nsp);
		} catch (err) {
			faults.record('connect error', err);
		}
		return original.call(this, packet);
	};
	encoder.encode = encode;
	return () => {
		if (encoder.encode !== encode) return;
		if (Object.hasOwn(encoder, 'encode')) delete encoder.encode;
		if (encoder.encode !== original) encoder.encode = original;
	};
}

// 4. The engine.io server ---------------------------------------------------------------------

function isEngineServer(engine: unknown): engine is EngineServer {
	const e = engine as Partial<EngineServer> | null;
	return (
		typeof e?.on === 'function' && typeof e.off === 'function' && typeof e.clients === 'object'
	);
}

/** The engine.io server, once socket.io is attached to an HTTP server and if it is as expected. */
export function engineOf(io: Server): EngineServer | undefined {
	const engine = io.engine as unknown;
	return isEngineServer(engine) ? engine : undefined;
}

// 5. Whether an adapter reaches other nodes ---------------------------------------------------

/**
 * Whether an adapter can talk to other nodes. The in-memory adapter's `serverSideEmit` only warns
 * that it cannot; every cluster adapter overrides it. Found by walking the prototype chain rather
 * than comparing with an imported class, which could be another copy than the host's.
 */
export function reachesOtherNodes(adapter: object): boolean {
	let proto = Object.getPrototypeOf(adapter);
	while (proto && !Object.hasOwn(proto, 'serverSideEmit')) proto = Object.getPrototypeOf(proto);
	const parent = proto && Object.getPrototypeOf(proto);
	return Boolean(parent && 'serverSideEmit' in parent);
}

/**
 * How long socket.io keeps a dropped socket's session for recovery (touch point 6), in ms; null
 * when connection state recovery is off. Read once, at `instrument()`.
 */
export function recoveryWindow(io: Server): number | null {
	try {
		const server = io as unknown as Partial<Record<'opts' | '_opts', { connectionStateRecovery?: unknown }>>;
		const recovery = (server.opts ?? server._opts)?.connectionStateRecovery;
		if (typeof recovery !== 'object' || recovery === null) return null;
		const duration = (recovery as { maxDisconnectionDuration?: unknown }).maxDisconnectionDuration;
		// socket.io's own default, should a version stop writing it into the options.
		return typeof duration === 'number' && duration > 0 ? duration : 2 * 60 * 1000;
	} catch {
		return null;
	}
}
