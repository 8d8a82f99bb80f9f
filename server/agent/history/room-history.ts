/**
 * Which rooms have their membership kept in the history rings, and their sizes at each sample: the
 * largest rooms of each namespace, and every room a dashboard opened in the last hour. Reading the
 * sizes costs one map lookup per tracked room; choosing the largest costs one pass over a
 * namespace's public rooms, only when their number changed or every `RESELECT_EVERY` samples.
 */
import type { RoomHistory } from '../../protocol/models.js';
import { keepFirst, keepTop, type Scored } from '../../protocol/top-n.js';
import type { NamespaceStats, NodeModel } from '../observe/model.js';
import type { RoomHistoryOptions } from '../options.js';

/** A room opened by a dashboard is kept this long after it was last opened. */
export const OPENED_FOR_MS = 3_600_000;
/** The largest rooms of a namespace are chosen again at least this often, in samples. */
const RESELECT_EVERY = 10;
/** Namespaces (the most populated) whose largest rooms are kept, as history rows keep 32. */
export const ROOM_HISTORY_NAMESPACES = 32;

/** The sizes of the tracked rooms at one sample; `keys` is shared by rows while it is unchanged. */
export interface RoomSizes {
	keys: readonly string[];
	sizes: Int32Array;
}

/** A room's key in the history rows: the separator cannot appear in a namespace's name. */
export function roomKey(namespace: string, room: string): string {
	return `${namespace}\u0000${room}`;
}

interface Largest {
	roomCount: number;
	rooms: string[];
}

export class RoomTracker {
	/** Room key to the time it was last opened; oldest opening first. */
	private readonly opened = new Map<string, { namespace: string; room: string; at: number }>();
	private readonly largest = new WeakMap<NamespaceStats, Largest>();
	private keys: readonly string[] = [];
	private samples = 0;

	constructor(
		private readonly model: NodeModel,
		private readonly options: Required<RoomHistoryOptions>
	) {}

	/** Rooms tracked at the last sample. */
	get size(): number {
		return this.keys.length;
	}

	/** A dashboard opened a room: keep its history from now on, for the next hour. */
	open(namespace: string, room: string, now = Date.now()): void {
		if (this.options.opened === 0) return;
		const key = roomKey(namespace, room);
		this.opened.delete(key);
		this.opened.set(key, { namespace, room, at: now });
		if (this.opened.size > this.options.opened) {
			this.opened.delete(this.opened.keys().next().value!);
		}
	}

	/** The sizes of the tracked rooms now. */
	read(now = Date.now()): RoomSizes {
		const reselect = this.samples++ % RESELECT_EVERY === 0;
		const keys: string[] = [];
		const sizes: number[] = [];
		const seen = new Set<string>();
		const add = (stats: NamespaceStats | undefined, namespace: string, room: string) => {
			const key = roomKey(namespace, room);
			if (seen.has(key)) return;
			seen.add(key);
			keys.push(key);
			sizes.push(stats?.nsp.adapter.rooms.get(room)?.size ?? 0);
		};
		for (const stats of this.populated()) {
			for (const room of this.largestOf(stats, reselect)) add(stats, stats.name, room);
		}
		for (const [key, { namespace, room, at }] of this.opened) {
			if (now - at > OPENED_FOR_MS) this.opened.delete(key);
			else add(this.model.namespaces.get(namespace), namespace, room);
		}
		// Rows share one keys array while the tracked rooms stay the same, so a row costs its sizes.
		if (keys.length !== this.keys.length || keys.some((k, i) => k !== this.keys[i])) {
			this.keys = keys;
		}
		return { keys: this.keys, sizes: Int32Array.from(sizes) };
	}

	/** The most populated namespaces, chosen in one pass: a sort of them all each second was O(n log n). */
	private populated(): NamespaceStats[] {
		if (this.options.largest === 0) return [];
		const top: NamespaceStats[] = [];
		for (const stats of this.model.namespaces.values())
			keepFirst(top, stats, bySockets, ROOM_HISTORY_NAMESPACES);
		return top;
	}

	private largestOf(stats: NamespaceStats, reselect: boolean): string[] {
		const known = this.largest.get(stats);
		if (known && !reselect && known.roomCount === stats.publicRooms.size) return known.rooms;
		const top: Scored<string>[] = [];
		const rooms = stats.nsp.adapter.rooms;
		for (const room of stats.publicRooms)
			keepTop(top, room, rooms.get(room)?.size ?? 0, this.options.largest);
		const chosen = { roomCount: stats.publicRooms.size, rooms: top.map((r) => r.item) };
		this.largest.set(stats, chosen);
		return chosen.rooms;
	}
}

/**
 * One room's history from every node: each node's points are matched to the nearest of this
 * node's buckets (the nodes' clocks tick apart), and the sizes known at a bucket are added up.
 */
export function mergeRoomHistories(answers: RoomHistory[]): RoomHistory {
	const [first, ...others] = answers;
	const size = [...first.size];
	for (const other of others) {
		if (other.step !== first.step) continue;
		let j = 0;
		let taken = -1;
		other.t.forEach((t, i) => {
			const value = other.size[i];
			while (j + 1 < first.t.length && Math.abs(first.t[j + 1] - t) <= Math.abs(first.t[j] - t))
				j++;
			// A bucket takes one point per node, the first that falls near it.
			if (value === null || j === taken || Math.abs(first.t[j] - t) > first.step / 2 + 1) return;
			taken = j;
			size[j] = (size[j] ?? 0) + value;
		});
	}
	return { step: first.step, t: first.t, size };
}

function bySockets(a: NamespaceStats, b: NamespaceStats): number {
	return b.nsp.sockets.size - a.nsp.sockets.size;
}
