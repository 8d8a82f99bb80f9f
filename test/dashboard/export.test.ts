import { describe, expect, it } from 'vitest';
import { collectRows, toCsv } from '../../src/lib/export.js';
import { matches } from '../../src/routes/audit/audit-filter.js';
import type { AuditEntry } from '../../server/protocol/commands.js';

describe('toCsv', () => {
	it('writes one header of every key, lists joined, and quotes what needs it', () => {
		const csv = toCsv([
			{ id: 'a', rooms: ['x', 'y'], agent: 'Mozilla/5.0 (X11, "Linux")' },
			{ id: 'b', rooms: [], extra: { n: 1 } }
		]);
		expect(csv.split('\r\n')).toEqual([
			'id,rooms,agent,extra',
			'a,x; y,"Mozilla/5.0 (X11, ""Linux"")",',
			'b,,,"{""n"":1}"',
			''
		]);
	});
});

describe('collectRows', () => {
	it('reads page after page, filters, and stops at the cap', async () => {
		const pages = new Map([
			[undefined, { rows: [1, 2, 3], nextCursor: 'p2' }],
			['p2', { rows: [4, 5, 6], nextCursor: null }]
		]);
		const fetch = async (cursor: string | undefined) => ({
			...pages.get(cursor as never)!,
			total: 6,
			missingNodes: []
		});
		expect(await collectRows(fetch, (n) => n % 2 === 0)).toEqual({
			rows: [2, 4, 6],
			truncated: false
		});
		expect(await collectRows(fetch, undefined, 4)).toEqual({ rows: [1, 2, 3, 4], truncated: true });
	});
});

describe('audit filter', () => {
	const entry: AuditEntry = {
		id: '1',
		t: 1_000_000,
		principal: { name: 'Alice', role: 'admin' },
		address: '10.0.0.1',
		command: 'socket:disconnect',
		namespace: '/chat',
		target: 'socket abc',
		outcome: 'ok',
		reason: 'spamming',
		affected: 1,
		nodeId: 'n1'
	};
	it('matches by user, command, outcome, time and text', () => {
		const now = entry.t + 20 * 60_000;
		expect(matches({ user: 'ali', command: 'socket:disconnect', outcome: 'ok' }, entry, now)).toBe(
			true
		);
		expect(matches({ user: 'bob' }, entry, now)).toBe(false);
		expect(matches({ outcome: 'refused' }, entry, now)).toBe(false);
		expect(matches({ since: '1h' }, entry, now)).toBe(true);
		expect(matches({ since: '15m' }, entry, now)).toBe(false);
		expect(matches({ text: 'SPAM' }, entry, now)).toBe(true);
		expect(matches({ text: 'kick' }, entry, now)).toBe(false);
	});
});
