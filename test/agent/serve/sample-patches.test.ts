/**
 * Samples as patches: a dashboard that asks for them (as Sockscope's own does) receives each
 * node's first sample whole and then only what changed, and rebuilds exactly the samples a
 * dashboard taking them whole receives, in fewer bytes; one that joins later starts from whole
 * samples without breaking the stream of those already there.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import type { Sample, SamplePatch } from '../../../server/protocol/index.js';
import { SAMPLES_AS_PATCHES, applyJsonPatch, type Json } from '../../../server/protocol/index.js';
import { startFixture, type Fixture } from '../../support/agent-fixture.js';

/** What a dashboard taking patches received: the samples it rebuilt, in order, and the bytes. */
interface PatchReader {
	events: ('whole' | 'patch')[];
	samples: Sample[];
	bytes: number;
}

function readPatches(socket: ClientSocket): PatchReader {
	const reader: PatchReader = { events: [], samples: [], bytes: 0 };
	let latest: Sample | undefined;
	socket.on('stats:sample', (sample: Sample) => {
		reader.events.push('whole');
		reader.bytes += JSON.stringify(sample).length;
		reader.samples.push((latest = sample));
	});
	socket.on('stats:patch', (patch: SamplePatch) => {
		reader.events.push('patch');
		reader.bytes += JSON.stringify(patch).length;
		// Nothing to apply it to: the order check below fails.
		if (!latest) return;
		latest = applyJsonPatch(latest as unknown as Json, patch.changes) as unknown as Sample;
		reader.samples.push(latest);
	});
	return reader;
}

let f: Fixture;
const whole: Sample[] = [];
let wholeBytes = 0;
let first: PatchReader;
let traffic: ReturnType<typeof setInterval>;

beforeAll(async () => {
	f = await startFixture({ sampleInterval: 100 });
	f.io.of('/chat').on('connection', (socket) => {
		socket.join(`room-${socket.id.charCodeAt(0) % 3}`);
		socket.on('say', (text: string) => socket.broadcast.emit('said', text));
	});
	const clients = await Promise.all(Array.from({ length: 12 }, () => f.client('/chat')));
	// Some traffic most intervals, so that samples differ in more than their time.
	let k = 0;
	traffic = setInterval(() => clients[k++ % clients.length].emit('say', `hello ${k}`), 30);
	// Examples left out of a streamed sample are those the dashboard holds, from its snapshot on.
	let recent: unknown;
	await f.dashboard({}, {}, (plain) => {
		plain.once('state:snapshot', (snapshot: { samples: Sample[] }) => {
			recent = snapshot.samples[0]?.connectionErrors?.recent;
		});
		plain.on('stats:sample', (s: Sample) => {
			wholeBytes += JSON.stringify(s).length;
			// Whole samples leave out connection-error examples that did not change; the dashboard keeps them.
			if (s.connectionErrors?.recent) recent = s.connectionErrors.recent;
			else if (s.connectionErrors) s.connectionErrors.recent = recent as never;
			whole.push(s);
		});
	});
	// Read from before it connects: a sample right behind the snapshot may come in the same read.
	await f.dashboard({ samples: SAMPLES_AS_PATCHES }, {}, (socket) => (first = readPatches(socket)));
});

afterAll(async () => {
	clearInterval(traffic);
	await f.close();
});

const byTime = (samples: Sample[]) => new Map(samples.map((s) => [s.t, s]));

test('after a whole first sample, only patches; rebuilt, they are the samples, in fewer bytes', async () => {
	await expect.poll(() => first.events.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(30);
	expect(first.events[0]).toBe('whole');
	expect(first.events.slice(1).every((e) => e === 'patch')).toBe(true);

	const sent = byTime(whole);
	const compared = first.samples.filter((s) => sent.has(s.t));
	expect(compared.length).toBeGreaterThanOrEqual(25);
	for (const rebuilt of compared) expect(rebuilt).toEqual(sent.get(rebuilt.t));
	// Figures that moved are in it: the chat's events were counted while it streamed.
	expect(compared.some((s) => s.namespaces.some((n) => n.eventsIn > 0))).toBe(true);

	const patchBytes = first.bytes / first.events.length;
	const sampleBytes = wholeBytes / whole.length;
	console.log(
		`samples as patches: ${Math.round(patchBytes)} B against ${Math.round(sampleBytes)} B whole`
	);
	expect(patchBytes).toBeLessThan(sampleBytes / 2);
});

test('a dashboard that joins later starts whole, and those already there go on rebuilding exactly', async () => {
	const before = first.events.length;
	let late!: PatchReader;
	await f.dashboard({ samples: SAMPLES_AS_PATCHES }, {}, (socket) => (late = readPatches(socket)));
	await expect.poll(() => late.events.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(10);
	expect(late.events[0]).toBe('whole');
	expect(late.events.slice(1).every((e) => e === 'patch')).toBe(true);
	// Its joining sent the next sample whole to every dashboard of its group.
	expect(first.events.slice(before)).toContain('whole');

	const sent = byTime(whole);
	for (const reader of [first, late]) {
		const compared = reader.samples.filter((s) => sent.has(s.t));
		expect(compared.length).toBeGreaterThanOrEqual(10);
		for (const rebuilt of compared) expect(rebuilt).toEqual(sent.get(rebuilt.t));
	}
});
