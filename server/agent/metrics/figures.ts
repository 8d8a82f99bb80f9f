/**
 * The figures the agent exports, in one table for both exporters: Prometheus names them
 * `socketio_<key>_total`, OpenTelemetry `socketio.<key with dots>`. Each is read from the model
 * when the exporter collects, never on the hot path.
 */
import type { NamespaceStats } from '../observe/model.js';

export interface NamespaceCounter {
	key: string;
	help: string;
	/** OpenTelemetry unit, when not a plain count. */
	unit?: string;
	read(stats: NamespaceStats): number;
}

export const NAMESPACE_COUNTERS: NamespaceCounter[] = [
	{ key: 'connections', help: 'Sockets connected', read: (s) => s.connects },
	{ key: 'connections_refused', help: 'Connections refused by middleware', read: (s) => s.refused },
	{
		key: 'connections_recovered',
		help: 'Sessions recovered after a dropped transport (connection state recovery); not counted in connections',
		read: (s) => s.recovered
	},
	{ key: 'room_joins', help: 'Room joins', read: (s) => s.joins },
	{ key: 'room_leaves', help: 'Room leaves', read: (s) => s.leaves },
	{
		key: 'bytes_received',
		help: 'Bytes received from clients',
		unit: 'By',
		read: (s) => s.bytesIn
	},
	{ key: 'bytes_sent', help: 'Bytes sent to clients', unit: 'By', read: (s) => s.bytesOut },
	{ key: 'broadcasts', help: 'Broadcast emits', read: (s) => s.broadcasts }
];

export const HELP = {
	sockets: 'Connected sockets',
	rooms: "Rooms, not counting each socket's private room",
	disconnections: 'Sockets disconnected, by socket.io reason',
	eventsReceived: 'Events received from clients',
	eventsSent: 'Events sent to clients',
	rtt: 'Heartbeat round-trip time (engine.io ping/pong)',
	ackLatency:
		'From an acknowledged event to its acknowledgement (in: answered by the server, out: by the client)',
	ackTimeouts: 'Acknowledged events not answered within the agent\u2019s ackTimeout',
	connectionErrors: 'Connections refused by middleware or failed at the engine, by code',
	roomBroadcasts: 'Broadcasts sent to a room (only rooms the metrics.rooms option allows)',
	roomDeliveries:
		'Deliveries on this node of the broadcasts sent to a room (only rooms metrics.rooms allows)'
} as const;
