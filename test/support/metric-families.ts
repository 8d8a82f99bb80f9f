/**
 * The metric families of the agent's Prometheus exposition (the table of docs/metrics.md), for
 * the tests that find each of them in OpenTelemetry's output too: a family missing on one side
 * would otherwise go unnoticed by a comparison of what both have.
 */
export const SOCKETIO_FAMILIES = [
	'socketio_ack_latency_seconds',
	'socketio_ack_timeouts_total',
	'socketio_broadcasts_total',
	'socketio_bytes_received_total',
	'socketio_bytes_sent_total',
	'socketio_connection_errors_total',
	'socketio_connections_recovered_total',
	'socketio_connections_refused_total',
	'socketio_connections_total',
	'socketio_disconnections_total',
	'socketio_events_received_total',
	'socketio_events_sent_total',
	'socketio_heartbeat_rtt_seconds',
	'socketio_room_broadcasts_total',
	'socketio_room_deliveries_total',
	'socketio_room_joins_total',
	'socketio_room_leaves_total',
	'socketio_rooms',
	'socketio_sockets'
];

/** The families of series keyed `name{labels}`, sorted: a histogram's series count once. */
export function familiesOf(keys: Iterable<string>): string[] {
	const names = [...keys].map((key) => key.slice(0, key.indexOf('{')));
	return [...new Set(names.map((name) => name.replace(/_(bucket|sum|count)$/, '')))].sort();
}
