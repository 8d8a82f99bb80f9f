/**
 * Reading socket.io packets as the default parser encodes them, without decoding them:
 *
 *   <type>[<attachments>-][/<namespace>,][<ack id>][<JSON payload>]
 *
 * e.g. `2/chat,["message","hello"]` or `51-["upload",{"_placeholder":true,"num":0}]`. The engine
 * collector reads event names and namespaces here instead of hooking every socket with
 * `onAny`/`onAnyOutgoing`: those cost each socket two listener arrays (about 390 bytes), and this
 * costs nothing per socket and, for a broadcast, one read for all its recipients.
 */
export const TYPE_CONNECT_ERROR = 52; // '4'
export const TYPE_EVENT = 50; // '2'
export const TYPE_BINARY_EVENT = 53; // '5'
export const TYPE_ACK = 51; // '3'
export const TYPE_BINARY_ACK = 54; // '6'
const SLASH = 47;
const COMMA = 44;
const DASH = 45;
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACKET = 91;

/** Where the namespace part (`/name,`) would start: after the type and any attachment count. */
export function namespaceStart(data: string): number {
	const type = data.charCodeAt(0);
	if (type !== TYPE_BINARY_EVENT && type !== TYPE_BINARY_ACK) return 1;
	const dash = data.indexOf('-', 1);
	return dash === -1 ? data.length : dash + 1;
}

/** The number of binary attachments that follow a binary packet; 0 for any other packet. */
export function attachmentCount(data: string): number {
	const type = data.charCodeAt(0);
	if (type !== TYPE_BINARY_EVENT && type !== TYPE_BINARY_ACK) return 0;
	let n = 0;
	for (let i = 1; i < data.length; i++) {
		const c = data.charCodeAt(i);
		if (c === DASH) return n;
		n = n * 10 + (c - 48);
	}
	return 0;
}

/** Whether the packet, whose namespace part starts at `at`, is for the namespace `name`. */
export function isForNamespace(data: string, at: number, name: string): boolean {
	if (data.charCodeAt(at) !== SLASH) return name === '/';
	return data.startsWith(name, at) && data.charCodeAt(at + name.length) === COMMA;
}

/** The namespace of a packet, as a new string: for the rare packets that are not events. */
export function namespaceOf(data: string): string {
	const at = namespaceStart(data);
	if (data.charCodeAt(at) !== SLASH) return '/';
	const end = data.indexOf(',', at);
	return end === -1 ? data.slice(at) : data.slice(at, end);
}

/** Where an event packet's JSON array starts, or -1: past the namespace and the acknowledgement id. */
export function payloadStart(data: string, at: number): number {
	if (data.charCodeAt(at) === SLASH) {
		at = data.indexOf(',', at);
		if (at === -1) return -1;
		at++;
	}
	while (at < data.length && data.charCodeAt(at) !== OPEN_BRACKET) at++;
	return at < data.length ? at : -1;
}

/**
 * The acknowledgement id of a packet, or -1: the digits right before its payload (which starts at
 * `payload`), after the namespace part (which starts at `at`). Read backwards, so a packet without
 * an id costs one comparison.
 */
export function ackIdBefore(data: string, at: number, payload: number): number {
	let id = 0;
	let scale = 1;
	for (let i = payload - 1; i >= at; i--) {
		const digit = data.charCodeAt(i) - 48;
		if (digit < 0 || digit > 9) break;
		id += digit * scale;
		scale *= 10;
	}
	return scale === 1 ? -1 : id;
}

/**
 * The end of an event's name in its payload (which starts at `payload`): the index of the name's
 * closing quote, or of the character after a numeric name; -1 if the packet is malformed.
 */
export function eventNameEnd(data: string, payload: number): number {
	let i = payload + 1;
	if (data.charCodeAt(i) === QUOTE) {
		for (i++; i < data.length; i++) {
			const c = data.charCodeAt(i);
			if (c === QUOTE) return i;
			if (c === BACKSLASH) i++;
		}
		return -1;
	}
	// socket.io also accepts a number as the event name.
	while (i < data.length && data.charCodeAt(i) !== COMMA && data.charCodeAt(i) !== 93 /* ] */) i++;
	return i < data.length && i > payload + 1 ? i : -1;
}

/** The event's name, decoded: `end` is what `eventNameEnd` returned. */
export function eventName(data: string, payload: number, end: number): string {
	if (data.charCodeAt(payload + 1) !== QUOTE) return data.slice(payload + 1, end);
	return isPlainName(data, payload, end) ? data.slice(payload + 2, end) : (JSON.parse(data.slice(payload + 1, end + 1)) as string);
}

/**
 * Whether `name` is the event name at `payload`, compared in place. Only for names that need no
 * escaping in JSON (see `isPlainName`), whose encoded form is the name itself between quotes.
 */
export function hasEventName(data: string, payload: number, name: string): boolean {
	return (
		data.charCodeAt(payload + 1) === QUOTE &&
		data.startsWith(name, payload + 2) &&
		data.charCodeAt(payload + 2 + name.length) === QUOTE
	);
}

/** Whether a name read by `eventName` is written unescaped, so that `hasEventName` can match it. */
export function isPlainName(data: string, payload: number, end: number): boolean {
	return data.charCodeAt(payload + 1) === QUOTE && data.lastIndexOf('\\', end) <= payload;
}

/** Names socket.io's parser refuses in an event packet (it drops the connection instead). */
const RESERVED_NAMES = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'];

/** Whether the event at `payload` has a name socket.io refuses. */
export function isReservedName(data: string, payload: number): boolean {
	for (let i = 0; i < RESERVED_NAMES.length; i++) if (hasEventName(data, payload, RESERVED_NAMES[i])) return true;
	return false;
}

const MAX_ARGS_TEXT = 300;
const PLACEHOLDER = /\{"_placeholder":true,"num":\d+\}/g;

/** The event's arguments as JSON text, for the event log: the payload without its name. */
export function argsText(data: string, payload: number, end: number): string {
	const after = data.charCodeAt(payload + 1) === QUOTE ? end + 1 : end;
	if (data.charCodeAt(after) !== COMMA) return '[]';
	return `[${data.slice(after + 1, after + 1 + MAX_ARGS_TEXT)}`.replace(PLACEHOLDER, '"<binary>"');
}
