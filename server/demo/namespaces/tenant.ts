/**
 * A tenant namespace of a multi-tenant app: chat rooms of its own (see `chat-rooms.ts`), plus the
 * tenant's app events (`catalog.ts`), relayed to the sender's room. Tenants share no room and no
 * event, so a tenant-scoped dashboard operator sees a world of its own.
 */
import type { Namespace } from 'socket.io';
import type { Tenant } from '../catalog.js';
import { registerChatRooms } from './chat-rooms.js';

export function registerTenant(nsp: Namespace, tenant: Tenant): void {
	registerChatRooms(nsp, { rooms: tenant.rooms, events: tenant.events });
}
