import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../server/protocol/commands.js';
import type { Page } from '../../../server/protocol/models.js';
import { ask, startFixture, type Fixture } from '../../support/agent-fixture.js';
import { answer } from '../../support/dashboard-client.js';
import { malformedCommands, seeded } from '../../support/malformed-commands.js';

const COUNT = 10_000;
const IN_FLIGHT = 250;

let fx: Fixture;
let dash: ClientSocket;
let alice: ClientSocket;
let bob: ClientSocket;

beforeAll(async () => {
	// Limits raised: this suite is about junk answered one by one, not about request rates.
	const limits = { requestsPerSecond: 1e6, burst: 1e6, inFlight: 1e4, userRequestsPerSecond: 1e6, userInFlight: 1e4 };
	fx = await startFixture({ audit: { memory: 2 * COUNT }, limits }, { maxHttpBufferSize: 1e6 }, (io) => {
		io.on('connection', (socket) =>
			socket.on('chat', (text: string) => socket.broadcast.emit('chat', text))
		);
	});
	dash = (await fx.dashboard()).socket;
	alice = await fx.client('/');
	bob = await fx.client('/');
});
afterAll(() => fx.close());

/** One chat message from alice to bob, through the host's own handler. */
async function chat(text: string): Promise<void> {
	const received = new Promise((resolve) => bob.once('chat', resolve));
	alice.emit('chat', text);
	expect(await received).toBe(text);
}

describe('malformed commands', () => {
	it(`answers ${COUNT} of them with errors, keeps the host serving, and audits each one`, async () => {
		const faultsBefore = fx.agent.latestSample()?.faults ?? 0;
		const codes = new Map<string, number>();
		let unacknowledged = 0;
		let batch: Promise<void>[] = [];
		let i = 0;
		for (const { name, payload, noAck } of malformedCommands(COUNT, seeded(0x5eed))) {
			if (noAck) {
				dash.emit(name, payload);
				unacknowledged++;
			} else {
				batch.push(
					answer(dash, name, payload).then((ack) => {
						const code =
							'error' in ack
								? ack.error.code
								: `ok ${name} ${JSON.stringify(payload).slice(0, 200)}`;
						codes.set(code, (codes.get(code) ?? 0) + 1);
					})
				);
			}
			i++;
			if (batch.length === IN_FLIGHT || i === COUNT) {
				await Promise.all(batch);
				batch = [];
				await chat(`after ${i}`);
			}
		}
		expect([...codes]).toEqual([['E_VALIDATION', COUNT - unacknowledged]]);
		expect(unacknowledged).toBeGreaterThan(0);

		// Entries of unacknowledged commands are written without an answer to wait for.
		await expect
			.poll(async () => (await ask<Page<AuditEntry>>(dash, 'audit:query', { limit: 1 })).total)
			.toBe(COUNT);
		const ids = new Set<string>();
		let cursor: string | undefined;
		do {
			const page: Page<AuditEntry> = await ask(dash, 'audit:query', {
				limit: 500,
				...(cursor ? { cursor } : {})
			});
			for (const entry of page.rows) {
				expect(entry).toMatchObject({
					outcome: 'invalid',
					code: 'E_VALIDATION',
					affected: 0,
					nodeId: fx.agent.nodeId
				});
				ids.add(entry.id);
			}
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		expect(ids.size).toBe(COUNT);

		expect(fx.agent.latestSample()?.faults ?? 0).toBe(faultsBefore);
		expect([alice.connected, bob.connected, dash.connected]).toEqual([true, true, true]);
		await chat('still here');
	});
});
