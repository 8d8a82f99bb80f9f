/**
 * Everything the admin-ui connector knows, fed one wire event at a time: the socket index, the
 * figures behind each second's samples, the history since the page opened and the event log tap.
 * It holds no socket and no timer, so a recorded sequence of events can be replayed into it.
 */
import { MAX_PAGE_SIZE } from '$protocol/limits';
import type {
	LogBatch,
	NamespaceSummary,
	NamespacesPage,
	NamespacesQuery,
	Sample,
	Snapshot,
	Feature
} from '$protocol/models';
import { namespaceRowKey, namespacesDescending, sortedByKey } from '$protocol/paging';
import {
	addNamespaceSummary,
	emptyNamespaceSummary,
	topNamespaceSummaries
} from '$protocol/samples';
import { OTHER_NAMESPACES } from '$protocol/vocabulary';
import { PROTOCOL_VERSION } from '$protocol/version';
import {
	RequestError,
	type QueryInput,
	type QueryName,
	type QueryResult,
	type SourceInfo
} from '../connector';
import { featuresOf, sourceOf } from './capabilities';
import { LOG_MAX_PER_SECOND, LogTap } from './event-log';
import { Figures } from './figures';
import { SampleHistory } from './history';
import { IndexQueries, pageOf } from './queries';
import { SocketIndex } from './socket-index';
import type { AdminUiFeature, AdminUiServerStats, AdminUiSocket } from './wire';

/** A wire timestamp (ISO string, or absent from older servers) in epoch milliseconds. */
function timeOf(value: unknown, now: number): number {
	const t = typeof value === 'string' ? Date.parse(value) : NaN;
	return Number.isFinite(t) ? t : now;
}

const str = (value: unknown): value is string => typeof value === 'string';

/** What a query needs the source to give; the others are always answered. */
const NEEDS: Partial<Record<QueryName, Feature>> = {
	'sockets:query': 'sockets',
	'socket:details': 'sockets',
	'rooms:query': 'rooms',
	'room:members': 'rooms',
	'log:subscribe': 'events'
};

export class AdminUiState {
	readonly index: SocketIndex;
	readonly figures: Figures;
	readonly history = new SampleHistory();
	readonly queries: IndexQueries;
	readonly log: LogTap;
	/** From `config`; null until it arrives on this connection. */
	supported: AdminUiFeature[] | null = null;
	/** Whether the socket list has arrived on this connection (development mode sends it first). */
	listed = false;
	/** The user logged in as, for the principal. */
	user: string | null = null;
	#latest: Sample[] = [];

	constructor(
		/** The admin namespace, whose own sockets (the dashboards) are left out. */
		readonly admin: string,
		deliverLog: (batch: LogBatch) => void
	) {
		this.index = new SocketIndex(admin);
		this.figures = new Figures(this.index, admin);
		this.log = new LogTap(this.index, deliverLog);
		this.queries = new IndexQueries(this.index, () => this.#nodeOfSockets());
	}

	get development(): boolean {
		return this.supported?.includes('ALL_EVENTS') ?? false;
	}

	get features(): Feature[] {
		return featuresOf(this.supported ?? []);
	}

	get source(): SourceInfo {
		return sourceOf(this.supported ?? []);
	}

	/** Whether what the server sends first on a connection has arrived. */
	get ready(): boolean {
		return this.supported !== null && (this.listed || !this.development);
	}

	/** A new connection: its `config` and socket list replace the previous ones. */
	restart(): void {
		this.supported = null;
		this.listed = false;
	}

	receive(event: string, args: unknown[], now = Date.now()): void {
		const [a, b, c, d] = args;
		switch (event) {
			case 'config': {
				const supported = (a as { supportedFeatures?: unknown })?.supportedFeatures;
				this.supported = Array.isArray(supported)
					? (supported.filter(str) as AdminUiFeature[])
					: [];
				this.figures.detailed = this.development;
				break;
			}
			case 'server_stats':
				if (str((a as AdminUiServerStats)?.serverId))
					this.figures.stats(a as AdminUiServerStats, now);
				break;
			case 'all_sockets':
				this.index.reset(Array.isArray(a) ? (a as AdminUiSocket[]) : []);
				this.listed = true;
				break;
			case 'socket_connected':
				if (this.index.add(a as AdminUiSocket)) this.figures.connected((a as AdminUiSocket).nsp);
				break;
			case 'socket_updated':
				if (str((a as AdminUiSocket)?.nsp)) this.index.update(a as AdminUiSocket);
				break;
			case 'socket_disconnected': {
				const gone = str(a) && str(b) ? this.index.remove(a, b) : null;
				if (!gone) break;
				this.figures.disconnected(gone.namespace, String(c));
				// Its `room_left` events follow, for a socket no longer indexed: count them now.
				for (let i = 0; i < gone.rooms.size; i++) this.figures.left(gone.namespace);
				break;
			}
			case 'room_joined':
				if (str(a) && str(b) && str(c) && this.index.join(a, b, c)) this.figures.joined(a);
				break;
			case 'room_left':
				if (str(a) && str(b) && str(c) && this.index.leave(a, b, c)) this.figures.left(a);
				break;
			case 'event_received':
			case 'event_sent':
				if (str(a) && str(b) && Array.isArray(c) && a !== this.admin)
					this.#event(event === 'event_received' ? 'in' : 'out', a, b, c, timeOf(d, now));
				break;
		}
	}

	#event(direction: 'in' | 'out', namespace: string, id: string, args: unknown[], t: number): void {
		const name = String(args[0]);
		this.figures.event(namespace, name, direction);
		const socket = this.index.get(namespace, id);
		if (socket) socket[direction === 'in' ? 'eventsIn' : 'eventsOut']++;
		this.log.record(direction, namespace, id, args, t, this.#nodeOfSockets());
	}

	/** Closes the second: one sample per live server, also kept for history. */
	tick(now = Date.now()): Sample[] {
		const samples = this.figures.samples(now);
		this.history.push(samples);
		this.#latest = samples;
		return samples;
	}

	snapshot(now = Date.now()): Snapshot {
		const primary = this.figures.live(now)[0]?.stats;
		return {
			protocol: PROTOCOL_VERSION,
			// admin-ui has one user and no roles; what it does not allow is a gap of the source.
			principal: { name: this.user ?? 'anonymous', role: 'admin' },
			features: this.features,
			node: {
				nodeId: primary?.serverId ?? '',
				hostname: primary?.hostname ?? '',
				pid: primary?.pid ?? 0,
				startedAt: primary ? now - primary.uptime * 1000 : now,
				socketIoVersion: '',
				agentVersion: '',
				adapter: ''
			},
			samples: this.#latest,
			history: this.history.all(),
			// The largest and the rest summed, as the agent sends them: the model is the same.
			...topNamespaceSummaries(this.namespaces(now)),
			limits: { pageSize: MAX_PAGE_SIZE, logMaxPerSecond: LOG_MAX_PER_SECOND, payloads: true }
		};
	}

	namespaces(now = Date.now()): NamespaceSummary[] {
		const live = this.figures.live(now);
		const names = new Set(live.flatMap((s) => s.stats.namespaces.map((n) => n.name)));
		for (const name of this.index.namespaces.keys()) names.add(name);
		names.delete(this.admin);
		return [...names].sort().map((name) => {
			const ns = this.index.namespaces.get(name);
			const totals = this.figures.totals.get(name);
			const reported = live.reduce(
				(n, s) => n + (s.stats.namespaces.find((x) => x.name === name)?.socketsCount ?? 0),
				0
			);
			return {
				name,
				sockets: this.development ? (ns?.sockets.size ?? 0) : reported,
				rooms: ns?.rooms.size ?? 0,
				connects: totals?.connects ?? 0,
				disconnects: totals?.disconnects ?? 0,
				// @socket.io/admin-ui reports a recovered session as a new connection.
				recovered: 0,
				refused: 0,
				eventsIn: totals?.eventsIn ?? 0,
				eventsOut: totals?.eventsOut ?? 0,
				bytesIn: 0,
				bytesOut: 0
			};
		});
	}

	/** A page of namespaces, searched and sorted as the agent's `namespaces:query` is. */
	namespacesPage(query: NamespacesQuery, now = Date.now()): NamespacesPage {
		const text = query.text?.toLowerCase();
		const names = query.names && new Set(query.names);
		const rows = this.namespaces(now).filter(
			(n) => (!text || n.name.toLowerCase().includes(text)) && (!names || names.has(n.name))
		);
		const all = emptyNamespaceSummary(OTHER_NAMESPACES);
		for (const row of rows) addNamespaceSummary(all, row);
		const key = (r: NamespaceSummary) => namespaceRowKey(r, query);
		const desc = namespacesDescending(query);
		const sorted = sortedByKey(rows, key, desc);
		return { ...pageOf(sorted, key, desc, query.cursor, query.limit, (r) => r), all };
	}

	/**
	 * The agent's queries, answered here, one entry per query of the protocol: a query without an
	 * entry, or an answer of the wrong shape, does not compile. Each throws `RequestError` when
	 * it cannot be answered.
	 */
	readonly #answers: { [K in QueryName]: (input: QueryInput<K>) => QueryResult<K> } = {
		'state:resync': () => this.snapshot(),
		'namespaces:query': (query) => this.namespacesPage(query),
		'history:query': () => this.history.all(),
		'sockets:query': (query) => this.queries.sockets(query),
		'socket:details': ({ namespace, id }) => this.queries.details(namespace, id),
		'rooms:query': (query) => this.queries.rooms(query),
		'room:members': (query) => this.queries.members(query),
		'room:history': () => {
			throw new RequestError('E_UNSUPPORTED', 'admin-ui keeps no history of room membership.');
		},
		'log:subscribe': (filter) => {
			this.log.subscribe(filter);
			return { maxPerSecond: LOG_MAX_PER_SECOND, payloads: true };
		},
		'log:unsubscribe': () => {
			this.log.unsubscribe();
			return true;
		},
		'audit:query': () => {
			throw new RequestError('E_UNSUPPORTED', this.source.gaps.audit?.reason ?? 'No audit.');
		},
		'disconnects:query': () => this.#noDisconnects(),
		'disconnects:patterns': () => this.#noDisconnects(),
		// admin-ui pushes every socket: the sockets page reads pages instead of a live window.
		'sockets:watch': () => this.#unpaged(),
		'sockets:unwatch': () => true,
		'sockets:seek': () => this.#unpaged()
	};

	#unpaged(): never {
		throw new RequestError('E_UNSUPPORTED', this.source.gaps.paged?.reason ?? 'No live windows.');
	}

	#noDisconnects(): never {
		throw new RequestError(
			'E_UNSUPPORTED',
			this.source.gaps.disconnects?.reason ?? 'No record of disconnects.'
		);
	}

	answer<K extends QueryName>(event: K, input: QueryInput<K>): QueryResult<K> {
		const feature = NEEDS[event];
		if (feature && !this.features.includes(feature))
			throw new RequestError(
				'E_UNSUPPORTED',
				this.source.gaps[feature]?.reason ?? 'Not available.'
			);
		return this.#answers[event](input);
	}

	/** Which server a socket lives on, when that can be known: with one server, that one. */
	#nodeOfSockets(): string {
		const servers = this.figures.servers;
		return servers.size === 1 ? [...servers.keys()][0] : '';
	}
}
