import { describe, expect, it } from 'vitest';
import { collectRows, serialise, toCsv } from '../../src/lib/export.js';
import { matches } from '../../src/routes/audit/audit-filter.js';
import type { AuditEntry } from '../../server/protocol/commands.js';
import type { DisconnectRow, SocketRow } from '../../server/protocol/models.js';

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

describe('toCsv and spreadsheet formulas', () => {
	const labels = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", '-2+3', '@SUM(1)'];

	it('writes every cell a spreadsheet would read as a formula as quoted text beginning with a single quote', () => {
		const rows = labels.map((label, i) => ({
			id: `s${i}`,
			label,
			rooms: i === 0 ? ['=cmd|"/C calc"!A1', 'lobby'] : ['lobby'],
			userAgent: i === 1 ? '\tcurl' : i === 2 ? '\r=1+1' : 'Mozilla/5.0'
		}));
		// Read back as a spreadsheet would: the file's bytes, decoded, split by RFC 4180.
		const bytes = Buffer.from(toCsv(rows), 'utf8');
		const [header, ...lines] = parseCsv(bytes.toString('utf8'));
		expect(header).toEqual(['id', 'label', 'rooms', 'userAgent']);
		const column = (name: string) => lines.map((cells) => cells[header.indexOf(name)]);
		expect(column('label')).toEqual(labels.map((l) => `'${l}`));
		expect(column('rooms')).toEqual([`'=cmd|"/C calc"!A1; lobby`, 'lobby', 'lobby', 'lobby']);
		expect(column('userAgent')).toEqual(['Mozilla/5.0', "'\tcurl", "'\r=1+1", 'Mozilla/5.0']);
		// Every cell that began with a formula character is quoted in the file itself.
		for (const label of labels)
			expect(bytes.includes(`"'${label.replaceAll('"', '""')}"`)).toBe(true);
		for (const cells of lines) for (const c of cells) expect(c).not.toMatch(/^[=+\-@\t\r]/);
	});

	it('leaves JSON exports as they are', () => {
		const rows = [{ id: 'a', label: '=1+1' }];
		expect(JSON.parse(serialise(rows, 'json'))).toEqual(rows);
	});
});

describe('exports of the lists', () => {
	const connectedAt = Date.UTC(2026, 11, 6, 22, 59, 58, 250);
	const socket: SocketRow = {
		id: 'sock-1',
		nodeId: 'n1',
		namespace: '/chat',
		rooms: ['lobby'],
		address: '10.0.0.7',
		transport: 'websocket',
		userAgent: 'Mozilla/5.0',
		connectedAt,
		rtt: 12,
		eventsIn: 3,
		eventsOut: 4,
		bytesIn: 300,
		bytesOut: 400,
		dataKeys: ['user'],
		label: 'alice@acme'
	};
	const entry: AuditEntry = {
		id: '7',
		t: connectedAt + 60_000,
		principal: { name: 'root', role: 'admin' },
		address: '127.0.0.1',
		command: 'room:disconnect',
		namespace: '/chat',
		target: 'room lobby',
		labels: ['alice@acme', 'bob'],
		outcome: 'ok',
		affected: 2,
		nodeId: 'n1'
	};
	const gone = {
		...socket,
		key: 'n1#1',
		t: connectedAt + 61_000,
		roomCount: 1,
		duration: 61_000,
		transports: ['polling', 'websocket'],
		reason: 'server namespace disconnect',
		description: 'kicked',
		kick: { by: 'root' }
	} satisfies Omit<DisconnectRow, 'count' | 'medianDuration'>;
	const disconnect: DisconnectRow = {
		...gone,
		count: 2,
		medianDuration: 61_000,
		group: [gone, { ...gone, key: 'n1#0', t: connectedAt + 1000, duration: 1000 }]
	};

	it('writes times as ISO 8601 text, in CSV and in JSON', () => {
		const [header, line] = parseCsv(serialise([socket], 'csv'));
		expect(line[header.indexOf('connectedAt')]).toBe('2026-12-06T22:59:58.250Z');
		expect(line[header.indexOf('rtt')]).toBe('12');
		const [json] = JSON.parse(serialise([disconnect], 'json'));
		expect(json).toMatchObject({
			t: '2026-12-06T23:00:59.250Z',
			connectedAt: '2026-12-06T22:59:58.250Z',
			duration: 61_000
		});
		expect(json.group.map((e: { t: string }) => e.t)).toEqual([
			'2026-12-06T23:00:59.250Z',
			'2026-12-06T22:59:59.250Z'
		]);
		const [auditHeader, audit] = parseCsv(serialise([entry], 'csv'));
		expect(audit[auditHeader.indexOf('t')]).toBe('2026-12-06T23:00:58.250Z');
	});

	it("names each socket by its label beside its id, and an audit entry by its sockets' labels", () => {
		for (const row of [socket, disconnect]) {
			const [header, line] = parseCsv(serialise([row], 'csv'));
			expect(header.slice(0, 2)).toEqual(['id', 'label']);
			expect(line.slice(0, 2)).toEqual(['sock-1', 'alice@acme']);
			expect(Object.keys(JSON.parse(serialise([row], 'json'))[0]).slice(0, 2)).toEqual([
				'id',
				'label'
			]);
		}
		const [header, line] = parseCsv(serialise([entry], 'csv'));
		expect(line[header.indexOf('labels')]).toBe('alice@acme; bob');
		expect(JSON.parse(serialise([entry], 'json'))[0].labels).toEqual(['alice@acme', 'bob']);
	});

	it('still writes a label that starts a formula as text', () => {
		const [header, line] = parseCsv(serialise([{ ...socket, label: '=1+1' }], 'csv'));
		expect(line[header.indexOf('label')]).toBe("'=1+1");
	});
});

/** RFC 4180 cells of a CSV text: quoted cells may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
	const lines: string[][] = [];
	let cells: string[] = [];
	let cellText = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') ((cellText += '"'), i++);
			else if (c === '"') quoted = false;
			else cellText += c;
		} else if (c === '"') quoted = true;
		else if (c === ',') (cells.push(cellText), (cellText = ''));
		else if (c === '\r' && text[i + 1] === '\n') {
			cells.push(cellText);
			lines.push(cells);
			((cells = []), (cellText = ''), i++);
		} else cellText += c;
	}
	return lines;
}

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
		expect(matches({ text: 'carol' }, entry, now)).toBe(false);
		expect(matches({ text: 'CAROL' }, { ...entry, labels: ['bob', 'Carol Smith'] }, now)).toBe(
			true
		);
	});
});
