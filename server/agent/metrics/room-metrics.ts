/**
 * Broadcasts and deliveries per room for Prometheus, only for the rooms the `metrics.rooms` option
 * allows: room names are chosen by the app and its clients, so a label per room would add series
 * without bound. Read from the room traffic table at scrape time (room-traffic.ts), which is
 * bounded; a room that leaves the table starts again from 0, which `rate()` reads as a reset.
 */
import { Counter, type Registry } from 'prom-client';
import { HELP } from './figures.js';
import { eachLabelledNamespace } from './labels.js';
import type { NodeModel } from '../observe/model.js';
import type { RoomAllowance } from '../options.js';
import type { RoomCounter } from '../observe/room-traffic.js';

export type Allowed = (namespace: string, room: string) => boolean;

/** The `metrics.rooms` option as a test; a throwing function allows nothing. */
export function allowedBy(rooms: RoomAllowance): Allowed {
	if (Array.isArray(rooms)) {
		const names = new Set(rooms);
		return (_namespace, room) => names.has(room);
	}
	if (rooms instanceof RegExp) {
		// A global or sticky pattern remembers where it stopped: each test must start afresh.
		const pattern = new RegExp(rooms.source, rooms.flags.replace(/[gy]/g, ''));
		return (_namespace, room) => pattern.test(room);
	}
	return (namespace, room) => {
		try {
			return rooms(namespace, room) === true;
		} catch {
			return false;
		}
	};
}

export function registerRoomMetrics(
	registry: Registry,
	model: NodeModel,
	rooms: RoomAllowance
): void {
	const allowed = allowedBy(rooms);
	const perRoom = (name: string, help: string, read: (c: RoomCounter) => number) =>
		new Counter({
			name,
			help,
			labelNames: ['namespace', 'room'],
			registers: [registry],
			collect() {
				this.reset();
				eachLabelledNamespace(model, (stats, namespace) => {
					for (const c of stats.roomTraffic.map.values()) {
						if (read(c) > 0 && allowed(stats.name, c.name))
							this.inc({ namespace, room: c.name }, read(c));
					}
				});
			}
		});
	perRoom('socketio_room_broadcasts_total', HELP.roomBroadcasts, (c) => c.broadcasts);
	perRoom('socketio_room_deliveries_total', HELP.roomDeliveries, (c) => c.deliveries);
}
