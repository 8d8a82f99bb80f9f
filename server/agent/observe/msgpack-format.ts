/**
 * Reading socket.io packets as socket.io-msgpack-parser encodes them, without decoding them. Each
 * packet is one msgpack map whose keys come in the order the sender set them; socket.io writes
 *
 *   server event  {type, data, id?, nsp}             server ack  {id, type, data, nsp}
 *   client event  {type, data, options, id?, nsp}    client ack  {type, id, data, nsp}
 *   broadcast with an ack  {type, data, nsp, id}
 *
 * The entries before `data` are read forwards and those after it backwards from the end, so the
 * payload is never walked: a packet costs the same whatever it carries, and nothing is allocated.
 * `data` is looked into only for an event's name (its first element) and a connect_error's
 * message (its first entry). A packet of another shape (an unknown key, more than 15 entries,
 * client options other than socket.io-client's) is not read: its ack is not timed.
 */
import { MAX_EVENT_NAME } from './event-names.js';

export const MSGPACK_EVENT = 2;
export const MSGPACK_ACK = 3;
export const MSGPACK_CONNECT_ERROR = 4;

const FIXMAP = 0x80;
const FIXARRAY = 0x90;
const FIXSTR = 0xa0;
const STR8 = 0xd9;
const STR16 = 0xda;
const STR32 = 0xdb;
const ARRAY16 = 0xdc;
const ARRAY32 = 0xdd;
const UINT8 = 0xcc;
const UINT16 = 0xcd;
const UINT32 = 0xce;
const UINT64 = 0xcf;

/** socket.io-client's `options` entry as it writes it, without the final true or false. */
const CLIENT_OPTIONS = Uint8Array.from([
	0xa7,
	...Buffer.from('options'),
	0x81,
	0xa8,
	...Buffer.from('compress')
]);
/** `message`, the first key of a connect_error's data. */
const MESSAGE_KEY = Uint8Array.from([0xa7, ...Buffer.from('message')]);

const decoder = new TextDecoder();
const NOTHING = new Uint8Array(0);

/** One packet read in place; one instance is reused for every packet of a direction. */
export class MsgpackPacket {
	/** The packet type (2 event, 3 ack, 4 connect_error …), or -1. */
	type = -1;
	/** The acknowledgement id, or -1: complete only once `isFor` said yes. */
	id = -1;
	/** Where an event's name (UTF-8 bytes) lies, or -1. */
	nameStart = -1;
	nameEnd = -1;
	private buf: Uint8Array = NOTHING;
	/** Where `data`'s value starts (-1 without one), and how many entries follow it. */
	private dataStart = -1;
	private after = 0;
	/** The namespace's bytes when it came before `data`, or -1. */
	private nspStart = -1;
	private nspEnd = -1;
	/** The id when it came before `data`, or -1. */
	private idBefore = -1;
	/** The last name whose UTF-8 length was computed: namespaces repeat from packet to packet. */
	private lengthOf = '';
	private length = 0;

	/**
	 * Whether the packet can carry an ack id: one before `data`, or room for one after it beside
	 * the namespace. A server's event without an ack (`{type, data, nsp}`) is done with here.
	 */
	get mayHaveId(): boolean {
		return this.idBefore !== -1 || this.after >= 2;
	}

	/** Reads the entries up to `data`; false if the packet is not a map of the expected keys. */
	read(buf: Uint8Array): boolean {
		this.buf = buf;
		this.type = this.id = this.nameStart = this.nameEnd = -1;
		this.dataStart = this.nspStart = this.nspEnd = this.idBefore = -1;
		this.after = 0;
		const head = buf[0];
		if ((head & 0xf0) !== FIXMAP) return false;
		const count = head & 0x0f;
		let pos = 1;
		for (let i = 0; i < count; i++) {
			const key = buf[pos];
			if ((key & 0xe0) !== FIXSTR) return false;
			const k = pos + 1;
			pos = k + (key & 0x1f);
			if (
				key === 0xa4 &&
				buf[k] === 0x74 &&
				buf[k + 1] === 0x79 &&
				buf[k + 2] === 0x70 &&
				buf[k + 3] === 0x65
			) {
				// type
				const value = buf[pos++];
				if (!(value <= 0x7f)) return false;
				this.type = value;
			} else if (
				key === 0xa4 &&
				buf[k] === 0x64 &&
				buf[k + 1] === 0x61 &&
				buf[k + 2] === 0x74 &&
				buf[k + 3] === 0x61
			) {
				// data: its value is never walked; what follows it is read from the end.
				this.dataStart = pos;
				this.after = count - i - 1;
				this.readName(pos);
				return true;
			} else if (key === 0xa2 && buf[k] === 0x69 && buf[k + 1] === 0x64) {
				// id
				const end = this.uintEnd(pos);
				if (end === -1) return false;
				this.idBefore = this.uintAt(pos);
				pos = end;
			} else if (key === 0xa3 && buf[k] === 0x6e && buf[k + 1] === 0x73 && buf[k + 2] === 0x70) {
				// nsp
				const start = strStart(buf, pos);
				if (start === -1) return false;
				this.nspStart = start;
				this.nspEnd = start + strLength(buf, pos);
				pos = this.nspEnd;
			} else {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether the packet is for the namespace `name`; when it is, `id` holds its ack id (or -1).
	 * Reads the entries after `data` backwards: the namespace's is found by its expected bytes.
	 */
	isFor(name: string): boolean {
		const buf = this.buf;
		let end = buf.length;
		let id = this.idBefore;
		let nsp = false;
		if (this.nspStart !== -1) {
			if (!utf8Equals(buf, this.nspStart, this.nspEnd, name)) return false;
			nsp = true;
		}
		for (let i = 0; i < this.after; i++) {
			let at = nsp ? -1 : this.nspEntry(end, name);
			if (at !== -1) {
				nsp = true;
			} else if (id === -1 && (at = idEntry(buf, end)) !== -1) {
				id = this.uintAt(at + 3);
			} else if ((at = optionsEntry(buf, end)) === -1) {
				return false;
			}
			end = at;
		}
		if (!nsp || (this.dataStart !== -1 && end <= this.dataStart)) return false;
		this.id = id;
		return true;
	}

	/** Lets go of the packet, which may be large, once it has been read. */
	release(): void {
		this.buf = NOTHING;
	}

	/** Whether the event's name is `name`, compared in place. */
	hasName(name: string): boolean {
		return this.nameStart !== -1 && utf8Equals(this.buf, this.nameStart, this.nameEnd, name);
	}

	/**
	 * The event's name, decoded: only for packets with an id. A name longer than the agent keeps
	 * is decoded only as far as it is kept (the table cuts it anyway).
	 */
	name(): string {
		const end = Math.min(this.nameEnd, this.nameStart + 4 * (MAX_EVENT_NAME + 1));
		return decoder.decode(this.buf.subarray(this.nameStart, end));
	}

	/** A connect_error's message (`{message, data}`, or a plain string), decoded; rare. */
	errorMessage(): string | undefined {
		const buf = this.buf;
		let at = this.dataStart;
		if (at === -1) return undefined;
		if ((buf[at] & 0xf0) === FIXMAP && buf[at] !== FIXMAP) {
			for (let i = 0; i < MESSAGE_KEY.length; i++)
				if (buf[at + 1 + i] !== MESSAGE_KEY[i]) return undefined;
			at += 1 + MESSAGE_KEY.length;
		}
		const start = strStart(buf, at);
		if (start === -1) return undefined;
		return decoder.decode(buf.subarray(start, Math.min(start + strLength(buf, at), buf.length)));
	}

	private readName(at: number): void {
		const buf = this.buf;
		const head = buf[at];
		if ((head & 0xf0) === FIXARRAY) {
			if (head === FIXARRAY) return;
			at += 1;
		} else if (head === ARRAY16) at += 3;
		else if (head === ARRAY32) at += 5;
		else return;
		const start = strStart(buf, at);
		if (start === -1) return;
		this.nameStart = start;
		this.nameEnd = start + strLength(buf, at);
	}

	/** Where the entry `nsp: name` starts if the bytes before `end` are that entry, or -1. */
	private nspEntry(end: number, name: string): number {
		if (name !== this.lengthOf) {
			this.lengthOf = name;
			this.length = utf8Length(name);
		}
		const n = this.length;
		const header = n < 32 ? 1 : n < 256 ? 2 : 3;
		const str = end - n;
		const key = str - header - 4;
		const buf = this.buf;
		if (key < 0) return -1;
		if (
			buf[key] !== 0xa3 ||
			buf[key + 1] !== 0x6e ||
			buf[key + 2] !== 0x73 ||
			buf[key + 3] !== 0x70
		)
			return -1;
		const h = key + 4;
		const fits =
			header === 1
				? buf[h] === (FIXSTR | n)
				: header === 2
					? buf[h] === STR8 && buf[h + 1] === n
					: buf[h] === STR16 && buf[h + 1] === n >> 8 && buf[h + 2] === (n & 0xff);
		return fits && utf8Equals(buf, str, end, name) ? key : -1;
	}

	/** Where the unsigned integer at `at` ends, or -1 if there is none. */
	private uintEnd(at: number): number {
		const head = this.buf[at];
		if (head <= 0x7f) return at + 1;
		if (head === UINT8) return at + 2;
		if (head === UINT16) return at + 3;
		if (head === UINT32) return at + 5;
		if (head === UINT64) return at + 9;
		return -1;
	}

	/** The unsigned integer at `at` (see `uintEnd`). */
	private uintAt(at: number): number {
		const b = this.buf;
		const head = b[at];
		if (head <= 0x7f) return head;
		if (head === UINT8) return b[at + 1];
		if (head === UINT16) return b[at + 1] * 0x100 + b[at + 2];
		const high = b[at + 1] * 0x1000000 + b[at + 2] * 0x10000 + b[at + 3] * 0x100 + b[at + 4];
		if (head === UINT32) return high;
		return (
			high * 0x100000000 +
			(b[at + 5] * 0x1000000 + b[at + 6] * 0x10000 + b[at + 7] * 0x100 + b[at + 8])
		);
	}
}

/** Where the `id: <uint>` entry ending at `end` starts, or -1. */
function idEntry(buf: Uint8Array, end: number): number {
	// The integer's size is told by its first byte; each size puts the key at another place.
	let key = -1;
	if (buf[end - 1] <= 0x7f && isIdKey(buf, end - 4)) key = end - 4;
	else if (buf[end - 2] === UINT8) key = end - 5;
	else if (buf[end - 3] === UINT16) key = end - 6;
	else if (buf[end - 5] === UINT32) key = end - 8;
	else if (buf[end - 9] === UINT64) key = end - 12;
	return key >= 0 && isIdKey(buf, key) ? key : -1;
}

function isIdKey(buf: Uint8Array, at: number): boolean {
	return buf[at] === 0xa2 && buf[at + 1] === 0x69 && buf[at + 2] === 0x64;
}

/** Where socket.io-client's `options` entry ending at `end` starts, or -1. */
function optionsEntry(buf: Uint8Array, end: number): number {
	const last = buf[end - 1];
	if (last !== 0xc2 && last !== 0xc3) return -1;
	const start = end - 1 - CLIENT_OPTIONS.length;
	if (start < 0) return -1;
	for (let i = 0; i < CLIENT_OPTIONS.length; i++)
		if (buf[start + i] !== CLIENT_OPTIONS[i]) return -1;
	return start;
}

/** Where the bytes of the string at `at` start, or -1 if there is no string there. */
function strStart(buf: Uint8Array, at: number): number {
	const head = buf[at];
	if ((head & 0xe0) === FIXSTR) return at + 1;
	if (head === STR8) return at + 2;
	if (head === STR16) return at + 3;
	if (head === STR32) return at + 5;
	return -1;
}

/** The byte length of the string at `at` (see `strStart`). */
function strLength(buf: Uint8Array, at: number): number {
	const head = buf[at];
	if ((head & 0xe0) === FIXSTR) return head & 0x1f;
	if (head === STR8) return buf[at + 1];
	if (head === STR16) return buf[at + 1] * 0x100 + buf[at + 2];
	return buf[at + 1] * 0x1000000 + buf[at + 2] * 0x10000 + buf[at + 3] * 0x100 + buf[at + 4];
}

function utf8Length(s: string): number {
	let n = 0;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c < 0x80) n += 1;
		else if (c < 0x800) n += 2;
		else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
			n += 4;
			i++;
		} else n += 3;
	}
	return n;
}

/** Whether bytes `start`…`end` are `s` in UTF-8, compared without encoding `s`. */
function utf8Equals(buf: Uint8Array, start: number, end: number, s: string): boolean {
	let p = start;
	for (let i = 0; i < s.length; i++) {
		let c = s.charCodeAt(i);
		if (c < 0x80) {
			if (buf[p++] !== c) return false;
			continue;
		}
		if (c < 0x800) {
			if (buf[p++] !== (0xc0 | (c >> 6)) || buf[p++] !== (0x80 | (c & 0x3f))) return false;
			continue;
		}
		if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
			c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
			if (
				buf[p++] !== (0xf0 | (c >> 18)) ||
				buf[p++] !== (0x80 | ((c >> 12) & 0x3f)) ||
				buf[p++] !== (0x80 | ((c >> 6) & 0x3f)) ||
				buf[p++] !== (0x80 | (c & 0x3f))
			)
				return false;
			continue;
		}
		if (
			buf[p++] !== (0xe0 | (c >> 12)) ||
			buf[p++] !== (0x80 | ((c >> 6) & 0x3f)) ||
			buf[p++] !== (0x80 | (c & 0x3f))
		)
			return false;
	}
	return p === end;
}
