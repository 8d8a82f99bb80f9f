/** What the time charts say in words: signed axis labels, markers with labels and reasons, grouped. */
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../server/protocol/commands.js';
import { groupMarkers, groupTitle } from '../../../src/lib/charts/marker-groups.js';
import { signedTick } from '../../../src/lib/charts/ticks.js';
import { formatCount, formatRate } from '../../../src/lib/format.js';
import { markerOf } from '../../../src/lib/state/markers.svelte.js';

function kick(id: string, t: number, fields: Partial<AuditEntry> = {}): AuditEntry {
	const entry: AuditEntry = {
		id,
		t,
		principal: { name: 'ops', role: 'admin' },
		address: '127.0.0.1',
		command: 'socket:disconnect',
		namespace: '/chat',
		target: `socket ${id}`,
		outcome: 'ok',
		affected: 1,
		nodeId: 'a'
	};
	return { ...entry, ...fields };
}

describe('signedTick', () => {
	it('labels values below zero with a minus, as they are drawn', () => {
		expect(signedTick(-3, formatCount)).toBe('−3');
		expect(signedTick(-2.5, formatRate)).toBe('−2.5');
		expect(signedTick(3, formatCount)).toBe('3');
		expect(signedTick(0, formatCount)).toBe('0');
		expect(signedTick(-0, formatCount)).toBe('0');
	});
});

describe('markerOf', () => {
	it("names the socket by its label and gives the kick's reason", () => {
		const m = markerOf(kick('s1', 1000, { labels: ['alice'], reason: 'spamming' }));
		expect(m.text).toBe(
			'ops: socket:disconnect alice (socket s1) in /chat · reason: spamming · 1 affected'
		);
		expect(m.name).toBe('alice');
	});

	it('names a socket without a label by its id', () => {
		const m = markerOf(kick('s2', 1000));
		expect(m.text).toBe('ops: socket:disconnect socket s2 in /chat · 1 affected');
		expect(m.name).toBe('s2');
	});

	it('names a room by its name, with the labels the trail kept of its members', () => {
		const m = markerOf(
			kick('r1', 1000, {
				command: 'room:disconnect',
				target: 'room lobby',
				affected: 12,
				labels: ['alice', 'bob']
			})
		);
		expect(m.text).toBe('ops: room:disconnect room lobby (alice, bob, …) in /chat · 12 affected');
		expect(m.name).toBe('lobby');
	});
});

describe('groupMarkers', () => {
	const at = (t: number) => t / 1000;

	it('draws markers at the same spot as one line, titled with what and whom', () => {
		const markers = [
			markerOf(kick('c', 10_002, { labels: ['carol'] })),
			markerOf(kick('a', 10_000, { labels: ['alice'], reason: 'spam' })),
			markerOf(kick('b', 10_001, { labels: ['bob'] })),
			markerOf(kick('d', 50_000, { labels: ['dave'] }))
		];
		const groups = groupMarkers(markers, at);
		expect(groups.map((g) => g.title)).toEqual(['3 kicks: alice, bob, carol', markers[3].text]);
		expect(groups[0].x).toBe(10);
		expect(groups[0].lines[0]).toContain('alice (socket a) in /chat · reason: spam');
		expect(groups[1].lines).toEqual([]);
	});

	it('keeps markers apart when they are further apart than the spacing', () => {
		const markers = [markerOf(kick('a', 10_000)), markerOf(kick('b', 16_000))];
		expect(groupMarkers(markers, at, 6)).toHaveLength(2);
		expect(groupMarkers(markers, at, 7)).toHaveLength(1);
	});

	it('counts names beyond three, and mixed commands as admin actions', () => {
		const five = ['a', 'b', 'c', 'd', 'e'].map((id) => markerOf(kick(id, 1000)));
		expect(groupTitle(five)).toBe('5 kicks: a, b, c and 2 more');
		const mixed = [
			markerOf(kick('a', 1000)),
			markerOf(kick('b', 1000, { command: 'emit:send', target: 'socket b event ping' }))
		];
		expect(groupTitle(mixed)).toBe('2 admin actions: a, b');
	});

	it('lists at most eight markers in a tooltip, then how many more', () => {
		const many = Array.from({ length: 35 }, (_, i) => markerOf(kick(`s${i}`, 1000)));
		const [group] = groupMarkers(many, at);
		expect(group.markers).toHaveLength(35);
		expect(group.lines).toHaveLength(9);
		expect(group.lines.at(-1)).toBe('and 27 more');
	});
});
