/**
 * `/support`: a help desk with one room per ticket. Customers open a ticket and wait in its room;
 * agents (handshake `auth.role: 'agent'`) hear of new tickets, join and leave them, several at a
 * time, and reply. A ticket ends when a member closes it or when its room empties.
 *
 * Client to server (optional ack with `{ data }` or `{ error }`):
 *   ticket:open    (subject)              customers: → Ticket; leaves the customer's previous one
 *   ticket:list                           agents: → the open Tickets
 *   ticket:join    (id), ticket:leave (id)  agents: → Ticket
 *   ticket:message ({ ticket, text })     members: → TicketMessage, relayed to the other members
 *   ticket:close   (id)                   members: → { id, by }
 * Server to client:
 *   to agents: ticket:opened (Ticket)
 *   to a ticket's members: ticket:message (TicketMessage), ticket:joined and ticket:left
 *   ({ ticket, name, role }); to both: ticket:closed ({ id, by })
 * A handshake `auth.role` other than 'agent' or 'customer' (the default) is refused:
 * `connect_error` 'invalid role: ...' with `data.code` 'INVALID_ROLE'.
 */
import type { Namespace, Socket } from 'socket.io';
import { MAX_TEXT } from '../catalog.js';
import { Refusal, dataOf, on, text } from './handler.js';

export type Role = 'agent' | 'customer';

export interface Ticket {
	id: string;
	subject: string;
	customer: string;
	openedAt: number;
}

export interface TicketMessage {
	ticket: string;
	from: string;
	role: Role;
	text: string;
	at: number;
}

/** Where every agent sits, to hear of new tickets. */
const AGENTS_ROOM = 'agents';
/** Bounds the ticket table: a burst of customers cannot grow it without limit. */
const MAX_OPEN = 1000;

export function registerSupport(nsp: Namespace): void {
	const tickets = new Map<string, Ticket>();
	let nextNumber = 1001;

	nsp.use((socket, next) => {
		const role = roleOf(socket);
		if (role) return next();
		const err = new Error('invalid role: must be "agent" or "customer"');
		next(Object.assign(err, { data: { code: 'INVALID_ROLE' } }));
	});
	// A ticket nobody is in any more is over; the adapter tells when a room empties.
	nsp.adapter.on('delete-room', (room: string) => tickets.delete(room));

	function ticketOf(input: unknown): Ticket {
		const ticket = typeof input === 'string' ? tickets.get(input) : undefined;
		if (!ticket) throw new Refusal('no such open ticket');
		return ticket;
	}

	nsp.on('connection', (socket) => {
		const name = dataOf(socket).name;
		const role = roleOf(socket) ?? 'customer';
		const notice = (ticket: string) => ({ ticket, name, role });
		const as = (wanted: Role) => {
			if (role !== wanted) throw new Refusal(`only ${wanted}s may do that`);
		};
		const member = (input: unknown) => {
			const ticket = ticketOf(input);
			if (!socket.rooms.has(ticket.id)) throw new Refusal('you are not in this ticket');
			return ticket;
		};
		let current: string | undefined;
		if (role === 'agent') socket.join(AGENTS_ROOM);

		on(socket, 'ticket:open', (input) => {
			as('customer');
			if (tickets.size >= MAX_OPEN) throw new Refusal('the help desk is full; try again later');
			const subject = text(input, 'subject', MAX_TEXT);
			const ticket = {
				id: `ticket-${nextNumber++}`,
				subject,
				customer: name,
				openedAt: Date.now()
			};
			if (current && socket.rooms.has(current)) leave(current);
			tickets.set(ticket.id, ticket);
			socket.join(ticket.id);
			current = ticket.id;
			nsp.to(AGENTS_ROOM).emit('ticket:opened', ticket);
			return ticket;
		});
		on(socket, 'ticket:list', () => {
			as('agent');
			return [...tickets.values()];
		});
		on(socket, 'ticket:join', (id) => {
			as('agent');
			const ticket = ticketOf(id);
			if (!socket.rooms.has(ticket.id)) {
				socket.join(ticket.id);
				socket.to(ticket.id).emit('ticket:joined', notice(ticket.id));
			}
			return ticket;
		});
		on(socket, 'ticket:leave', (id) => {
			as('agent');
			const ticket = member(id);
			leave(ticket.id);
			return ticket;
		});
		on(socket, 'ticket:message', (input) => {
			const { ticket: id, text: body } = (input ?? {}) as { ticket?: unknown; text?: unknown };
			const ticket = member(id);
			const message: TicketMessage = {
				ticket: ticket.id,
				from: name,
				role,
				text: text(body, 'message', MAX_TEXT),
				at: Date.now()
			};
			socket.to(ticket.id).emit('ticket:message', message);
			return message;
		});
		on(socket, 'ticket:close', (id) => {
			const ticket = member(id);
			const closed = { id: ticket.id, by: name };
			nsp.to(ticket.id).to(AGENTS_ROOM).emit('ticket:closed', closed);
			tickets.delete(ticket.id);
			nsp.in(ticket.id).socketsLeave(ticket.id);
			return closed;
		});
		socket.on('disconnecting', () => {
			for (const room of socket.rooms) {
				if (tickets.has(room)) socket.to(room).emit('ticket:left', notice(room));
			}
		});

		function leave(ticket: string): void {
			socket.to(ticket).emit('ticket:left', notice(ticket));
			socket.leave(ticket);
		}
	});
}

function roleOf(socket: Socket): Role | undefined {
	const role = (socket.handshake.auth as { role?: unknown } | undefined)?.role ?? 'customer';
	return role === 'agent' || role === 'customer' ? role : undefined;
}
