/**
 * With thousands of namespaces the sample is taken a few hundred namespaces a turn, the host's
 * work running between: the same figures as in one pass, none lost or counted twice, whatever
 * happens in a namespace between the turns.
 */
import { afterAll, expect, test } from 'vitest';
import { Server } from 'socket.io';
import { NodeModel, NamespaceStats } from '../../../server/agent/observe/model.js';
import { createHealthProbe } from '../../../server/agent/observe/process-health.js';
import { NAMESPACES_PER_TURN, Sampler } from '../../../server/agent/history/sampler.js';
import type { Sample } from '../../../server/protocol/models.js';

// Namespaces only: a server attached to nothing, so nothing to close.
const io = new Server();
const health = createHealthProbe();
afterAll(() => health.dispose());

const model = new NodeModel();
const rules = { max: 200, budget: model.nameBudget };
function addNamespace(name: string): NamespaceStats {
	const stats = new NamespaceStats(io.of(name), rules);
	model.namespaces.set(name, stats);
	return stats;
}
/** `count` events of `msg` in a namespace, as the engine's hooks count them. */
function speak(stats: NamespaceStats, count: number): void {
	stats.event('msg').in += count;
	stats.eventsIn += count;
}
const COUNT = 2 * NAMESPACES_PER_TURN + 200;
const all = Array.from({ length: COUNT }, (_, i) => addNamespace(`/t-${i}`));
const sampler = new Sampler(model, health, 'node', { count: 0 });
const eventsIn = (s: Sample) => s.namespaces.reduce((sum, n) => sum + n.eventsIn, 0);

test('a sample of thousands of namespaces lets the host run between its parts, and counts each event once', async () => {
	all.forEach((stats, i) => speak(stats, 1 + (i % 3)));
	const spoken = all.reduce((sum, _, i) => sum + 1 + (i % 3), 0);
	const first = all[0];
	const last = all[COUNT - 1];
	// What the sampler has read at each turn: the namespaces whose `msg` counter it has marked as
	// read, of those the host does not speak in.
	const untouched = all.slice(1, -1);
	const read = () => untouched.filter((s) => s.event('msg').lastIn === s.event('msg').in).length;
	const readAtTurns: number[] = [];
	let hostRan = 0;
	let late: NamespaceStats | undefined;

	const sample = await sampler.take(async () => {
		readAtTurns.push(read());
		// The host's own work between the parts: an immediate of its own, and events in namespaces
		// already read, not yet read, and made meanwhile.
		await new Promise((resolve) => setImmediate(resolve));
		hostRan++;
		speak(first, 10);
		speak(last, 100);
		speak((late ??= addNamespace('/made-during-the-sample')), 1000);
	});

	expect(readAtTurns).toEqual([NAMESPACES_PER_TURN - 1, 2 * NAMESPACES_PER_TURN - 1]);
	expect(hostRan).toBe(2);
	expect(sample.namespaces).toHaveLength(COUNT + 1);
	// The first namespace was read before the host spoke in it; the last and the new one after.
	expect(eventsIn(sample)).toBe(spoken + 2 * 100 + 2 * 1000);
	const next = await sampler.take(async () => {});
	expect(next.namespaces.find((n) => n.name === first.name)!.eventsIn).toBe(20);
	expect(eventsIn(next)).toBe(20);
});

test('a namespace deleted before its turn is not in the sample', async () => {
	const gone = all[COUNT - 1];
	const sample = await sampler.take(async () => {
		model.namespaces.delete(gone.name);
	});
	expect(sample.namespaces.map((n) => n.name)).not.toContain(gone.name);
	expect(sample.namespaces).toHaveLength(COUNT);
});
