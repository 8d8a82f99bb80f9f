/**
 * The `/admin` namespace protocol of @socket.io/admin-ui 0.5, as it travels (its `Date`s arrive as
 * ISO strings). Written from its server's behaviour rather than imported, because ports of
 * admin-ui to other languages speak the same events and the dashboard must not depend on its code.
 */

/** What the server announces in `config`; commands depend on the first seven. */
export type AdminUiFeature =
	| 'EMIT'
	| 'JOIN'
	| 'LEAVE'
	| 'DISCONNECT'
	/** Room-wide `join` / `leave` / `_disconnect` through a room filter (socket.io 4). */
	| 'MJOIN'
	| 'MLEAVE'
	| 'MDISCONNECT'
	| 'AGGREGATED_EVENTS'
	/** Development mode: every socket, room change and event is pushed. */
	| 'ALL_EVENTS';

export interface AdminUiHandshake {
	address: string;
	headers: Record<string, string | string[] | undefined>;
	query: Record<string, unknown>;
	/** Milliseconds since the epoch. */
	issued: number;
	secure: boolean;
	time: string;
	url: string;
	xdomain: boolean;
}

export interface AdminUiSocket {
	id: string;
	/** The engine.io connection's id, cut to 12 characters. */
	clientId: string;
	transport: string;
	nsp: string;
	/** `socket.data`, without admin-ui's own `_admin` entry. */
	data: Record<string, unknown>;
	handshake: AdminUiHandshake;
	/** Every room, including the socket's own id. */
	rooms: string[];
}

/** Engine-level counts for one second: `rawConnection`, `rawDisconnection` (subType: reason), `bytesIn`, … */
export interface AggregatedEvent {
	timestamp: number;
	type: string;
	subType?: string;
	count: number;
}

export interface AdminUiServerStats {
	serverId: string;
	hostname: string;
	pid: number;
	/** Seconds. */
	uptime: number;
	/** Engine.io connections, whatever their namespaces. */
	clientsCount: number;
	pollingClientsCount: number;
	/** Since the previous `server_stats` of this server (every 2 s). */
	aggregatedEvents?: AggregatedEvent[];
	namespaces: { name: string; socketsCount: number }[];
}

/** Events the server sends on the admin namespace. */
export interface AdminUiServerEvents {
	/** After a password login: an id to send back as `auth.sessionId` instead of the password. */
	session: (sessionId: string) => void;
	config: (config: { supportedFeatures: AdminUiFeature[] }) => void;
	/** Every 2 s, from every server. */
	server_stats: (stats: AdminUiServerStats) => void;
	/** Development mode, on connect: every socket of every namespace (the admin one included). */
	all_sockets: (sockets: AdminUiSocket[]) => void;
	socket_connected: (socket: AdminUiSocket, timestamp?: string) => void;
	/** A transport upgrade (`transport`) or a change of `socket.data` (`data`). */
	socket_updated: (patch: Partial<AdminUiSocket> & { id: string; nsp: string }) => void;
	socket_disconnected: (nsp: string, id: string, reason: string, timestamp?: string) => void;
	room_joined: (nsp: string, room: string, id: string, timestamp?: string) => void;
	room_left: (nsp: string, room: string, id: string, timestamp?: string) => void;
	/** `args[0]` is the event name. */
	event_received: (nsp: string, id: string, args: unknown[], timestamp?: string) => void;
	event_sent: (nsp: string, id: string, args: unknown[], timestamp?: string) => void;
}

/**
 * Commands the server accepts, without acknowledgement. `filter` is a room, and every socket is
 * in the room named by its id; without a filter the command applies to the whole namespace.
 */
export interface AdminUiClientEvents {
	emit: (nsp: string, filter: string | undefined, event: string, ...args: unknown[]) => void;
	join: (nsp: string, room: string, filter?: string) => void;
	leave: (nsp: string, room: string, filter?: string) => void;
	_disconnect: (nsp: string, close: boolean, filter?: string) => void;
}

/** A recorded or received event: its name and arguments, as `onAny` gives them. */
export type WireEvent = [event: string, ...args: unknown[]];
