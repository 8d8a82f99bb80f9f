/**
 * The options of `instrument()`: each documented with its default, validated at once with an
 * error that names the option.
 */
import { hostname } from 'node:os';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Registry } from 'prom-client';
import type { Socket } from 'socket.io';

type Handshake = Socket['handshake'];
import type { Principal, Role } from '../protocol/models.js';
import { ROLES } from '../protocol/vocabulary.js';
import { AgentError } from './base/errors.js';
import { ownCopy } from './base/own-keys.js';
import { unknownKeyMessage } from './base/did-you-mean.js';
import { v, type Issue } from './base/schema.js';

export interface UserOptions {
	/** Login name. */
	name: string;
	/** bcrypt hash of the password (`npx sockscope hash-password`). */
	passwordHash: string;
	/** `admin` may act; `readonly` only watches. */
	role: Role;
	/** Namespaces this user sees and acts on; absent: all of them. */
	namespaces?: string[];
}

export interface AuthOptions {
	/** Users who log in with a password. */
	users?: UserOptions[];
	/**
	 * The host's own check (cookie session, JWT, …): a principal to let the dashboard in, or null
	 * to refuse. Tried before the password login.
	 */
	authorize?: (
		handshake: Handshake
	) => Principal | null | undefined | Promise<Principal | null | undefined>;
	/**
	 * Secret that signs session tokens. Give the same one to every node of a cluster.
	 * @default a random secret per process
	 */
	secret?: string;
	/**
	 * Session token lifetime, in seconds.
	 * @default 3600
	 */
	sessionTtl?: number;
	/**
	 * Failed logins allowed per user name and address per minute before further attempts of that
	 * name from that address are refused (IPv6 addresses count by their /64).
	 * @default 5
	 */
	maxFailedLogins?: number;
	/**
	 * Failed logins allowed per address per minute, whatever the user names, before every further
	 * login from that address is refused (IPv6 addresses count by their /64). It stops floods of
	 * throw-away names, which the limit per name never sees twice; clients behind one NAT share it.
	 * @default 20
	 */
	maxFailedLoginsPerAddress?: number;
	/**
	 * Reverse proxies in front of the server whose `X-Forwarded-For` tells the client's address:
	 * `true` for one, a number for a chain. Without it, every login behind a proxy comes from the
	 * proxy's address.
	 * @default false
	 */
	trustProxy?: boolean | number;
}

/** Anything with the calls of a node-redis v4/v5 or ioredis client that the audit store uses. */
export type RedisLike = object;

export interface AuditOptions {
	/**
	 * Entries kept in memory (and the only store unless another is given).
	 * @default 1000
	 */
	memory?: number;
	/** SQLite database file for an audit trail that survives restarts (needs better-sqlite3). */
	sqlite?: string;
	/** A connected Redis client: the trail goes to a Redis stream shared by every node. */
	redis?: RedisLike;
	/**
	 * Redis stream key.
	 * @default 'sockscope:audit'
	 */
	redisKey?: string;
	/**
	 * Entries of commands that ran kept by the SQLite or Redis store; older ones are trimmed.
	 * @default 100000
	 */
	durable?: number;
	/**
	 * Refused and invalid entries kept, apart from those of commands that ran, so a user sending
	 * junk never pushes real actions out of the trail (in Redis, a second stream: `redisKey` +
	 * `:refused`).
	 * @default the store's cap for commands that ran (`memory`, or `durable`)
	 */
	refusals?: number;
}

export interface RedactOptions {
	/**
	 * `socket.data` values to hide: `true` hides every value (keys stay visible), a list hides those
	 * keys' values, `false` shows them all.
	 * @default true
	 */
	socketData?: boolean | string[];
	/**
	 * Handshake headers whose values are hidden.
	 * @default ['cookie', 'authorization', 'proxy-authorization', 'x-api-key']
	 */
	headers?: string[];
	/**
	 * Hide `handshake.auth` (it often carries a token).
	 * @default true
	 */
	auth?: boolean;
	/**
	 * Handshake headers whose values are shown; every other header's value is hidden (a header
	 * in `headers` always is). `true` shows every header not in `headers`.
	 * @default ['accept', 'accept-encoding', 'accept-language', 'cache-control', 'connection', 'host', 'origin', 'pragma', 'sec-websocket-extensions', 'sec-websocket-version', 'upgrade', 'user-agent']
	 */
	showHeaders?: true | string[];
	/**
	 * Handshake query values shown (`handshake.query`, and the query part of `handshake.url`):
	 * `false` hides them all (a token often travels there), a list shows those keys, `true` all.
	 * @default false
	 */
	showQuery?: boolean | string[];
}

export interface EventLogOptions {
	/**
	 * Include the first arguments of each event, truncated, in the live event log.
	 * @default false
	 */
	payloads?: boolean;
	/**
	 * Log entries sent to one dashboard per second; the rest are counted as dropped.
	 * @default 100
	 */
	maxPerSecond?: number;
}

export interface LimitOptions {
	/**
	 * Requests one dashboard may send per second, on average; more are answered `E_RATE_LIMITED`.
	 * @default 5
	 */
	requestsPerSecond?: number;
	/**
	 * Requests one dashboard may send at once above that average (a page opening asks several).
	 * @default 30
	 */
	burst?: number;
	/**
	 * Requests of one dashboard being answered at the same time.
	 * @default 4
	 */
	inFlight?: number;
	/**
	 * Requests per second summed over every dashboard of one user (twice `burst` at once).
	 * @default 10
	 */
	userRequestsPerSecond?: number;
	/**
	 * Requests being answered at the same time, summed over every dashboard of one user.
	 * @default 8
	 */
	userInFlight?: number;
	/**
	 * Dashboards one user may have open on this node.
	 * @default 20
	 */
	dashboardsPerUser?: number;
	/**
	 * Live event log subscriptions one user may hold on this node.
	 * @default 4
	 */
	logSubscriptionsPerUser?: number;
	/**
	 * Live event log subscriptions on this node, all users together.
	 * @default 32
	 */
	logSubscriptions?: number;
}

/**
 * Rooms whose membership the history keeps (1 s for 15 minutes, 10 s for 6 hours): the largest of
 * each of the 32 most populated namespaces and the ones dashboards opened in the last hour. Memory
 * is bounded by `32 × largest + opened` rooms, 4 bytes each per history row (3,060 rows at a 1 s
 * interval): about 2.6 MB at the defaults, plus the room names while the tracked set changes.
 */
export interface RoomHistoryOptions {
	/**
	 * Rooms kept per namespace, the largest ones; 0 keeps none.
	 * @default 5
	 */
	largest?: number;
	/**
	 * Rooms opened by dashboards kept at once, each for an hour after it was last opened; past it,
	 * the least recently opened is dropped. 0 keeps none.
	 * @default 50
	 */
	opened?: number;
}

export interface MetricsOptions {
	/** Serve the exposition at this path on the host's HTTP server (refused if the host's own route answers there). */
	path?: string;
	/**
	 * The app's prom-client registry: Sockscope's metrics join the app's own there, served by the
	 * app's route or by `metricsHandler()`.
	 * @default a registry of Sockscope's own
	 */
	register?: Registry;
	/**
	 * Also collect prom-client's default process metrics (CPU, memory, event loop) into the registry.
	 * @default false
	 */
	defaultMetrics?: boolean;
	/**
	 * Decides whether a scrape of `path` may read the metrics, e.g. by checking a bearer token;
	 * `false` (or a throw) is answered 401 with no exposition. Not used by `metricsHandler()`, which
	 * sits behind the app's own auth.
	 * @default undefined (anyone who reaches `path` may scrape)
	 */
	authorize?: (req: IncomingMessage) => boolean | Promise<boolean>;
	/**
	 * Rooms that get their own `socketio_room_broadcasts_total` and
	 * `socketio_room_deliveries_total` series: a list of names, a pattern, or a test of the
	 * namespace and room. Room names are chosen by the app and its clients, so no room is labelled
	 * unless allowed here (a label per room would grow without bound).
	 * @default none
	 */
	rooms?: RoomAllowance;
	/**
	 * Upper bounds of the histograms' buckets, in seconds: ascending, positive, at most
	 * `MAX_BUCKETS`. The same bounds go to OpenTelemetry (with `otel: true`).
	 * @default `DEFAULT_ACK_BUCKETS` and `DEFAULT_RTT_BUCKETS`
	 */
	buckets?: HistogramBuckets;
}

export interface HistogramBuckets {
	/** `socketio_ack_latency_seconds`. */
	ackLatency?: number[];
	/** `socketio_heartbeat_rtt_seconds`. */
	heartbeatRtt?: number[];
}

/**
 * Acknowledgement latency's default buckets, in seconds. `histogram_quantile` interpolates within a
 * bucket, so a bucket's width bounds its error: acks of 55 ms in the old `0.05, 0.1` bucket read as
 * p50 73 ms and p90 95 ms. Steps of 5 ms up to 30 ms and of 10 ms up to 100 ms keep every bucket
 * between 20 and 100 ms within a quarter of its lower bound (p50 of a tight cluster off by at most
 * ~12%, usually far less); past 100 ms, where acks are a handler's slow work or a timeout in the
 * making, coarse steps up to 30 s (`ackTimeout`'s range) are enough. 21 bounds: every label set
 * (namespace × event × direction) costs a series per bucket, so finer would cost cardinality.
 */
export const DEFAULT_ACK_BUCKETS = [
	0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.15, 0.25, 0.5,
	1, 2.5, 5, 10, 30
];

/**
 * Heartbeat round-trip's default buckets, in seconds: the same steps over 10–100 ms (a network's
 * usual RTTs), finer below for a LAN and up to 5 s for a stalled client. One unlabelled series.
 */
export const DEFAULT_RTT_BUCKETS = [
	0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1,
	0.15, 0.25, 0.5, 1, 2.5, 5
];

/** Most bounds a histogram may have: each is a series per label set, kept per event name and direction. */
export const MAX_BUCKETS = 30;

/**
 * The buckets both exporters use: `metrics.buckets` with the defaults for what it leaves out, or
 * the defaults alone when there is no `metrics` object (OpenTelemetry only).
 */
export function histogramBuckets(options: Pick<Options, 'metrics'>): Required<HistogramBuckets> {
	const given = options.metrics ? options.metrics.buckets : undefined;
	return {
		ackLatency: given?.ackLatency ?? DEFAULT_ACK_BUCKETS,
		heartbeatRtt: given?.heartbeatRtt ?? DEFAULT_RTT_BUCKETS
	};
}

/** Which rooms Prometheus labels one by one (see `MetricsOptions.rooms`). */
export type RoomAllowance = string[] | RegExp | ((namespace: string, room: string) => boolean);

/** Disconnects kept per node by default, and at most (a query reads them all). */
export const DEFAULT_DISCONNECTS_KEPT = 2000;
export const MAX_DISCONNECTS_KEPT = 100_000;

/** Longest label shown for a socket; longer ones are cut. */
export const MAX_LABEL_LENGTH = 64;

export interface Options {
	/**
	 * The namespace that dashboards connect to. It is excluded from every figure.
	 * @default '/sockscope'
	 */
	namespace: string;
	/**
	 * Who may connect. Must be given: `false` (no authentication, written explicitly) or the
	 * users and hooks that let a dashboard in.
	 */
	auth: false | AuthOptions;
	/**
	 * This node's name in the dashboard and in clusters.
	 * @default `${hostname()}:${process.pid}`
	 */
	nodeId: string;
	/**
	 * Where the dashboard is served on the host's HTTP server, or `false` not to serve it.
	 * @default { path: '/sockscope' }
	 */
	dashboard:
		| false
		| {
				path: string;
				/**
				 * The path a proxy puts in front of the app (`/app2` when `/app2/…` is proxied to the
				 * app's `/…`). The dashboard derives it from its own URL when the proxy keeps the rest
				 * of the path; give it when the proxy also renames the dashboard's path.
				 */
				prefix?: string;
		  };
	/**
	 * Prometheus metrics: served at `path`, added to the app's `register`, or both; `false` for none.
	 * @default false
	 */
	metrics: false | (Omit<MetricsOptions, 'defaultMetrics'> & { defaultMetrics: boolean });
	/**
	 * A short text naming each socket in the dashboard (a user name, a device), searchable. Called
	 * once per socket, when a dashboard first lists it; cut to 64 characters. Keep secrets out of it.
	 */
	label?: (socket: Socket) => string;
	/**
	 * Also record the metrics as OpenTelemetry instruments on the global meter (needs
	 * `@opentelemetry/api` and an SDK that exports them).
	 * @default false
	 */
	otel: boolean;
	/** What the dashboard may see of each socket. */
	redact: Required<RedactOptions>;
	/** The live event log. */
	eventLog: Required<EventLogOptions>;
	/** The audit trail of admin commands. */
	audit: AuditOptions;
	/**
	 * Sample interval, in milliseconds.
	 * @default 1000
	 */
	sampleInterval: number;
	/**
	 * Distinct event names counted per namespace; beyond, a new name replaces a cold one or is
	 * counted as `_other`, so a client that invents names cannot grow the agent's memory.
	 * @default 200
	 */
	maxEventNames: number;
	/**
	 * Event names counted on their own line, in every namespace; any other name is counted as
	 * `_other`. Without it, the busiest names hold the lines (up to `maxEventNames`).
	 * @default undefined
	 */
	eventNames?: string[];
	/**
	 * The HTTP server to mount the dashboard and metrics on, when `io` was not attached to one.
	 * @default io.httpServer
	 */
	httpServer?: HttpServer;
	/**
	 * How long an acknowledged event may wait for its acknowledgement, in milliseconds, before it
	 * counts as a timeout; `false` stops timing acknowledgements.
	 * @default 10000
	 */
	ackTimeout: number | false;
	/**
	 * How long a cluster query, or each step of an admin command, waits for other nodes, in
	 * milliseconds; the answers that came are used and the other nodes named as missing.
	 * @default 2000
	 */
	queryTimeout: number;
	/** What one dashboard, and one user, may ask of this node. */
	limits: Required<LimitOptions>;
	/**
	 * Tell the clients that admin commands touch, so the app can show it: a kicked socket receives
	 * `sockscope:kicked` (`{ reason }`) before it is disconnected; a socket moved, joined to or
	 * removed from a room receives `sockscope:moved` (`{ from, to }`, room names or null) after.
	 * `false`: commands act without telling anyone.
	 * @default true
	 */
	notifyClients: boolean;
	/** Room membership over time (see `RoomHistoryOptions`). */
	roomHistory: Required<RoomHistoryOptions>;
	/**
	 * The record of recent disconnects on this node (the Disconnects page): the last `keep`
	 * sockets that disconnected, each with its label, address, rooms, figures and reason, about
	 * 1 KB each; `false` keeps none.
	 * @default { keep: 2000 }
	 */
	disconnects: false | { keep: number };
}

export type UserInput = Partial<
	Omit<
		Options,
		'auth' | 'metrics' | 'redact' | 'eventLog' | 'limits' | 'roomHistory' | 'disconnects'
	>
> & {
	/**
	 * Who may connect: users and hooks that let a dashboard in, or `false` (no authentication,
	 * written explicitly).
	 */
	auth: false | AuthOptions;
	metrics?: false | MetricsOptions;
	redact?: RedactOptions;
	eventLog?: EventLogOptions;
	limits?: LimitOptions;
	roomHistory?: RoomHistoryOptions;
	/** The record of recent disconnects: `{ keep: 2000 }` by default, `false` for none. */
	disconnects?: false | { keep?: number };
};

/** Headers a browser or client library sends that say nothing secret. */
const SAFE_HEADERS = [
	'accept',
	'accept-encoding',
	'accept-language',
	'cache-control',
	'connection',
	'host',
	'origin',
	'pragma',
	'sec-websocket-extensions',
	'sec-websocket-version',
	'upgrade',
	'user-agent'
];

const LIMIT_DEFAULTS: Required<LimitOptions> = {
	requestsPerSecond: 5,
	burst: 30,
	inFlight: 4,
	userRequestsPerSecond: 10,
	userInFlight: 8,
	dashboardsPerUser: 20,
	logSubscriptionsPerUser: 4,
	logSubscriptions: 32
};

const HASH_HINT = 'set it to the output of `npx sockscope hash-password`';
const EMPTY_USERS =
	'is empty, so nobody could log in: add a user (its passwordHash from `npx sockscope hash-password`), or leave `users` out when `authorize` lets dashboards in';
const METRICS_SHAPE =
	"must be false or an object: { path: '/metrics' } to serve them, { register } to add them to your prom-client registry";
/** What to do about each field of a user entry. */
const USER_FIELD_HINTS: Record<string, string> = {
	passwordHash: HASH_HINT,
	name: 'give a login name of 1 to 128 characters',
	namespaces: "list namespace names such as '/chat', or leave it out for all of them"
};

const namespaceName = v.string().regex(/^\/[^,]*$/, 'must start with "/" and contain no comma');
const urlPath = v
	.string()
	.regex(/^\/[^?#]*[^/?#]$|^\/$/, 'must be an absolute path like /sockscope');

const userSchema = v.strictObject({
	name: v.string().min(1).max(128),
	passwordHash: v.string().regex(/^\$2[aby]\$\d\d\$.{53}$/, 'must be a bcrypt hash'),
	role: v.enum(ROLES, "must be 'admin' or 'readonly'"),
	namespaces: v.array(namespaceName).optional()
});

const buckets = v
	.array(v.number().positive(), 'a list of upper bounds in seconds')
	.min(1)
	.max(MAX_BUCKETS, `must have at most ${MAX_BUCKETS} bounds: each is a series per label set`)
	.refine(
		(bounds) => bounds.every((b, i) => i === 0 || b > bounds[i - 1]),
		'must be in ascending order, each bound once'
	);

const isRegistry = (value: unknown) =>
	typeof value === 'object' &&
	value !== null &&
	typeof (value as Registry).registerMetric === 'function';

const schema = v.strictObject({
	namespace: namespaceName.default('/sockscope'),
	auth: v.union(
		[
			v.literal(false),
			v.strictObject({
				users: v.array(userSchema).min(1, EMPTY_USERS).optional(),
				authorize: v.function().optional(),
				secret: v.string().min(16, 'must be at least 16 characters').optional(),
				sessionTtl: v
					.number()
					.int()
					.positive()
					.max(30 * 86_400)
					.default(3600),
				maxFailedLogins: v.number().int().positive().default(5),
				maxFailedLoginsPerAddress: v.number().int().positive().default(20),
				trustProxy: v.union([v.boolean(), v.number().int().min(0).max(10)]).default(false)
			})
		],
		'must be false or an object { users, authorize, … }'
	),
	nodeId: v
		.string()
		.min(1)
		.max(128)
		.default(() => `${hostname()}:${process.pid}`),
	dashboard: v
		.union(
			[
				v.literal(false),
				v.strictObject({ path: urlPath.default('/sockscope'), prefix: urlPath.optional() })
			],
			"must be false or { path: '/sockscope', prefix? }"
		)
		.default({ path: '/sockscope' }),
	metrics: v
		.union(
			[
				v.literal(false),
				v.strictObject({
					path: urlPath.optional(),
					register: v
						.custom<Registry>(
							isRegistry,
							'a prom-client Registry',
							'must be a prom-client Registry (e.g. its `register`)'
						)
						.optional(),
					defaultMetrics: v.boolean().default(false),
					authorize: v.function().optional(),
					rooms: v
						.union(
							[
								v.array(v.string().min(1)).max(10_000),
								v.instanceOf(RegExp, 'a RegExp'),
								v.function()
							],
							'must be a list of room names, a RegExp or a function (namespace, room) => boolean'
						)
						.optional(),
					buckets: v
						.strictObject({ ackLatency: buckets.optional(), heartbeatRtt: buckets.optional() })
						.optional()
				})
			],
			METRICS_SHAPE
		)
		.default(false),
	label: v.function().optional(),
	otel: v.boolean().default(false),
	redact: v
		.strictObject({
			socketData: v.union([v.boolean(), v.array(v.string())]).default(true),
			headers: v
				.array(v.string())
				.default(['cookie', 'authorization', 'proxy-authorization', 'x-api-key']),
			auth: v.boolean().default(true),
			showHeaders: v.union([v.literal(true), v.array(v.string())]).default(SAFE_HEADERS),
			showQuery: v.union([v.boolean(), v.array(v.string())]).default(false)
		})
		.default({
			socketData: true,
			headers: ['cookie', 'authorization', 'proxy-authorization', 'x-api-key'],
			auth: true,
			showHeaders: SAFE_HEADERS,
			showQuery: false
		}),
	eventLog: v
		.strictObject({
			payloads: v.boolean().default(false),
			maxPerSecond: v.number().int().positive().max(10_000).default(100)
		})
		.default({ payloads: false, maxPerSecond: 100 }),
	audit: v
		.strictObject({
			memory: v.number().int().positive().max(1_000_000).default(1000),
			sqlite: v.string().min(1).optional(),
			redis: v
				.custom<RedisLike>((value) => typeof value === 'object' && value !== null, 'a Redis client')
				.optional(),
			redisKey: v.string().min(1).default('sockscope:audit'),
			durable: v.number().int().positive().max(100_000_000).optional(),
			refusals: v.number().int().positive().max(100_000_000).optional()
		})
		.default({ memory: 1000, redisKey: 'sockscope:audit' }),
	sampleInterval: v.number().int().min(100).max(60_000).default(1000),
	maxEventNames: v.number().int().min(1).max(10_000).default(200),
	eventNames: v.array(v.string().min(1).max(128)).max(10_000).optional(),
	httpServer: v
		.custom<HttpServer>(
			(value) => typeof value === 'object' && value !== null && 'listeners' in value,
			'an http.Server'
		)
		.optional(),
	queryTimeout: v.number().int().min(50).max(60_000).default(2000),
	limits: v
		.strictObject({
			requestsPerSecond: v.number().positive().default(LIMIT_DEFAULTS.requestsPerSecond),
			burst: v.number().int().positive().default(LIMIT_DEFAULTS.burst),
			inFlight: v.number().int().positive().default(LIMIT_DEFAULTS.inFlight),
			userRequestsPerSecond: v.number().positive().default(LIMIT_DEFAULTS.userRequestsPerSecond),
			userInFlight: v.number().int().positive().default(LIMIT_DEFAULTS.userInFlight),
			dashboardsPerUser: v.number().int().positive().default(LIMIT_DEFAULTS.dashboardsPerUser),
			logSubscriptionsPerUser: v
				.number()
				.int()
				.positive()
				.default(LIMIT_DEFAULTS.logSubscriptionsPerUser),
			logSubscriptions: v.number().int().positive().default(LIMIT_DEFAULTS.logSubscriptions)
		})
		.default(LIMIT_DEFAULTS),
	notifyClients: v.boolean().default(true),
	ackTimeout: v.union([v.literal(false), v.number().int().min(10).max(600_000)]).default(10_000),
	roomHistory: v
		.strictObject({
			largest: v.number().int().min(0).max(100).default(5),
			opened: v.number().int().min(0).max(1000).default(50)
		})
		.default({ largest: 5, opened: 50 }),
	disconnects: v
		.union(
			[
				v.literal(false),
				v.strictObject({
					keep: v.number().int().min(1).max(MAX_DISCONNECTS_KEPT).default(DEFAULT_DISCONNECTS_KEPT)
				})
			],
			'must be false or { keep: 2000 }'
		)
		.default({ keep: DEFAULT_DISCONNECTS_KEPT })
});

/** `setUsers()`'s list, checked like the option's but allowed to be empty. */
const usersSchema = v.array(userSchema);

/** `auth.users[1]`: numeric steps as indices. */
function formatPath(path: readonly PropertyKey[]): string {
	return path
		.map((step, i) =>
			typeof step === 'number' ? `[${step}]` : i ? `.${String(step)}` : String(step)
		)
		.join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
	let value = input;
	for (const step of path) {
		if (typeof value !== 'object' || value === null) return undefined;
		value = (value as Record<PropertyKey, unknown>)[step];
	}
	return value;
}

/**
 * The message for a bad user entry names the user and the field and says what to do:
 * `auth.users[1] ("ops"): passwordHash is undefined — set it to …`.
 */
function userIssueMessage(
	input: unknown,
	path: PropertyKey[],
	message: string
): string | undefined {
	if (path[0] !== 'auth' || path[1] !== 'users' || typeof path[2] !== 'number' || path.length < 4) {
		return undefined;
	}
	const name = valueAt(input, [...path.slice(0, 3), 'name']);
	const who = typeof name === 'string' && name ? ` (${JSON.stringify(name)})` : '';
	const field = String(path[3]);
	const value = valueAt(input, path.slice(0, 4));
	const problem = value === undefined ? 'is undefined' : value === '' ? 'is empty' : message;
	const hint = Object.hasOwn(USER_FIELD_HINTS, field) ? USER_FIELD_HINTS[field] : undefined;
	return `option "${formatPath(path.slice(0, 3))}"${who}: ${field} ${problem}${hint ? ` — ${hint}` : ''}`;
}

/**
 * The issue to report, with its message in an operator's words. A union (`false` or an object)
 * that fails in every branch reports itself; when the value fails only inside the object branch
 * (deeper, or the right kind of value with a wrong field), that branch's issue is the useful one.
 */
function specificIssue(
	issue: Issue,
	base: PropertyKey[] = []
): { path: PropertyKey[]; message: string } {
	if (issue.kind === 'union') {
		const inner = issue.branches?.find(
			(branch) =>
				branch.path.length > issue.path.length ||
				(branch.kind !== 'type' && branch.kind !== 'value')
		);
		if (inner) return specificIssue(inner, base);
	}
	const path = [...base, ...issue.path];
	if (issue.kind === 'unknown_key' && issue.keys?.length) {
		return { path, message: unknownKeyMessage('option', issue.keys[0], issue.known ?? []) };
	}
	return { path, message: issue.message };
}

/**
 * A users list given at run time (`agent.setUsers`), checked like `auth.users`; throws an
 * `E_OPTIONS` error naming the entry and field. Unlike the option, it may be empty: removing
 * every user is how an operator locks password logins at once.
 */
export function parseUsers(given: unknown): UserOptions[] {
	const input = ownCopy(given);
	const parsed = usersSchema.safeParse(input);
	if (parsed.success) return ownCopy(parsed.data);
	const { path, message } = specificIssue(parsed.issue, ['auth', 'users']);
	const where = path.length > 2 ? formatPath(path.slice(1)) : 'users';
	throw new AgentError(
		'E_OPTIONS',
		`setUsers(): ${
			userIssueMessage({ auth: { users: input } }, path, message)?.replace(
				/^option "auth\./,
				'"'
			) ?? `"${where}": ${message}`
		}`
	);
}

/** Merges the user's options with the defaults, or throws an `AgentError` naming the option. */
export function resolveOptions(given: unknown): Options {
	// Own keys only: an option is what the host wrote, not a key some library put on Object.prototype.
	const input = ownCopy(given);
	if (input === undefined || input === null || typeof input !== 'object') {
		throw new AgentError(
			'E_OPTIONS',
			'instrument(io, options): options are required, with at least `auth` (use `auth: false` to turn authentication off explicitly)'
		);
	}
	if (!('auth' in input) || (input as { auth?: unknown }).auth === undefined) {
		throw new AgentError(
			'E_OPTIONS',
			'option "auth" is required: give users or an authorize hook, or write `auth: false` to allow unauthenticated access'
		);
	}
	const parsed = schema.safeParse(input);
	if (!parsed.success) {
		const { path, message } = specificIssue(parsed.issue);
		const where = path.length ? formatPath(path) : '(options)';
		throw new AgentError(
			'E_OPTIONS',
			userIssueMessage(input, path, message) ?? `option "${where}": ${message}`
		);
	}
	// Rebuilt without a prototype, so an option left out reads as undefined, never as an inherited key.
	const options = ownCopy(parsed.data) as Options;
	if (options.auth && !options.auth.users && !options.auth.authorize) {
		throw new AgentError(
			'E_OPTIONS',
			'option "auth": gives no way to log in — add `users` (hashes from `npx sockscope hash-password`) or an `authorize` hook, or write `auth: false`'
		);
	}
	if (options.dashboard && options.metrics && options.dashboard.path === options.metrics.path) {
		throw new AgentError('E_OPTIONS', 'option "metrics.path": must differ from "dashboard.path"');
	}
	if (options.metrics && options.metrics.authorize && !options.metrics.path) {
		throw new AgentError(
			'E_OPTIONS',
			'option "metrics.authorize": guards the route at "metrics.path", and none is given; behind your own route, put your auth before `metricsHandler()`'
		);
	}
	return options;
}
