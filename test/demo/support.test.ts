import { afterEach, describe, expect, test } from 'vitest';
import type { Ticket, TicketMessage } from '../../server/demo/namespaces/support.js';
import { drain, request, startDemo, type DemoFixture } from '../support/demo-fixture.js';
import { collect, waitFor } from '../support/util.js';

let demo: DemoFixture;
afterEach(() => demo?.close());

const customer = (name: string) => demo.client('/support', { name });
const agent = (name: string) => demo.client('/support', { name, role: 'agent' });

describe('support desk', () => {
	test('puts a ticket in a room of its own that agents join, talk in and leave', async () => {
		demo = await startDemo();
		const ann = await agent('ann');
		const opened = waitFor<Ticket>(ann, 'ticket:opened');
		const carl = await customer('carl');
		const ticket = await request<Ticket>(carl, 'ticket:open', 'my order is late');

		expect(await opened).toEqual(ticket);
		expect(ticket).toMatchObject({ subject: 'my order is late', customer: 'carl' });
		expect(await request<Ticket[]>(ann, 'ticket:list')).toEqual([ticket]);

		const joined = waitFor(carl, 'ticket:joined');
		await request(ann, 'ticket:join', ticket.id);
		expect(await joined).toEqual({ ticket: ticket.id, name: 'ann', role: 'agent' });

		const reply = waitFor<TicketMessage>(carl, 'ticket:message');
		const sent = await request<TicketMessage>(ann, 'ticket:message', {
			ticket: ticket.id,
			text: 'on it'
		});
		expect(await reply).toEqual(sent);
		expect(sent).toMatchObject({ from: 'ann', role: 'agent', text: 'on it' });

		const left = waitFor(carl, 'ticket:left');
		await request(ann, 'ticket:leave', ticket.id);
		expect(await left).toEqual({ ticket: ticket.id, name: 'ann', role: 'agent' });
		await expect(
			request(ann, 'ticket:message', { ticket: ticket.id, text: 'hello?' })
		).rejects.toThrow('you are not in this ticket');
	});

	test('keeps a ticket to its members', async () => {
		demo = await startDemo();
		const ann = await agent('ann');
		const bea = await agent('bea');
		const carl = await customer('carl');
		const dora = await customer('dora');
		const first = await request<Ticket>(carl, 'ticket:open', 'first');
		const second = await request<Ticket>(dora, 'ticket:open', 'second');
		await request(ann, 'ticket:join', first.id);
		await request(bea, 'ticket:join', second.id);
		const overheard = {
			bea: collect(bea, 'ticket:message'),
			dora: collect(dora, 'ticket:message')
		};

		await request(carl, 'ticket:message', { ticket: first.id, text: 'private' });

		await drain(bea, 'ticket:list');
		await drain(dora, 'ticket:list');
		expect(overheard).toEqual({ bea: [], dora: [] });
		await expect(request(carl, 'ticket:join', second.id)).rejects.toThrow(
			'only agents may do that'
		);
		await expect(request(dora, 'ticket:close', first.id)).rejects.toThrow(
			'you are not in this ticket'
		);
	});

	test('closes a ticket for everyone in it and forgets it', async () => {
		demo = await startDemo();
		const ann = await agent('ann');
		const carl = await customer('carl');
		const ticket = await request<Ticket>(carl, 'ticket:open', 'done soon');
		await request(ann, 'ticket:join', ticket.id);
		const closed = waitFor(ann, 'ticket:closed');

		await request(carl, 'ticket:close', ticket.id);

		expect(await closed).toEqual({ id: ticket.id, by: 'carl' });
		expect(await request(ann, 'ticket:list')).toEqual([]);
		expect(demo.server.io.of('/support').adapter.rooms.has(ticket.id)).toBe(false);
	});

	test('refuses an unknown role', async () => {
		demo = await startDemo();
		const err = await demo.client('/support', { name: 'eve', role: 'root' }).catch((e: Error) => e);
		expect(err).toMatchObject({
			message: 'invalid role: must be "agent" or "customer"',
			data: { code: 'INVALID_ROLE' }
		});
	});
});
