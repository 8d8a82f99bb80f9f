/**
 * An idle namespace's sample is the one before it, sent again while nothing happens (the sampler
 * makes no new one); whatever happens next shows in the next sample, including what comes with no
 * packet: an acknowledgement that times out.
 */
import { afterAll, expect, test } from 'vitest';
import type { NamespaceSample, Sample } from '../../../server/protocol/models.js';
import { nextSample, startFixture, type Fixture } from '../../support/agent-fixture.js';

let f: Fixture;
afterAll(() => f?.close());

const idle = (n: NamespaceSample | undefined) =>
	n !== undefined &&
	n.eventsOut === 0 &&
	n.eventsIn === 0 &&
	(n.acks?.length ?? 0) === 0 &&
	n.connects === 0 &&
	n.joins === 0;
const of = (s: Sample) => s.namespaces.find((n) => n.name === '/q');

test('an idle namespace shows the ack that times out, then the event and the join that follow', async () => {
	f = await startFixture({ ackTimeout: 2000 }, {}, (io) =>
		io.of('/q').on('connection', (socket) => {
			socket.on('hello', () => socket.join('hall'));
		})
	);
	const { socket: dashboard } = await f.dashboard();
	const client = await f.client('/q');
	await nextSample(dashboard, (s) => idle(of(s)) && of(s)!.sockets === 1);

	// Asked, never answered (the client has no handler): the ack times out about ten samples
	// later, while the namespace has nothing else to count.
	f.io
		.of('/q')
		.sockets.get(client.id!)!
		.timeout(60_000)
		.emit('question', () => {});
	await nextSample(dashboard, (s) => of(s)!.eventsOut === 1);
	const timedOut = of(await nextSample(dashboard, (s) => (of(s)!.acks?.length ?? 0) > 0))!;
	expect(timedOut.acks).toEqual([
		expect.objectContaining({ name: 'question', direction: 'out', count: 0, timeouts: 1 })
	]);
	expect(timedOut.eventsOut).toBe(0);

	await nextSample(dashboard, (s) => idle(of(s)));
	client.emit('hello');
	const spoke = of(await nextSample(dashboard, (s) => of(s)!.eventsIn > 0))!;
	expect(spoke).toMatchObject({ eventsIn: 1, joins: 1, rooms: 1 });
	expect(spoke.topEvents).toEqual([{ name: 'hello', in: 1, out: 0 }]);
	expect(spoke.topRooms).toEqual([{ name: 'hall', size: 1 }]);
	// Quiet again: the room stays listed with its member.
	expect(of(await nextSample(dashboard, (s) => idle(of(s))))!.topRooms).toEqual([
		{ name: 'hall', size: 1 }
	]);
}, 30_000);
