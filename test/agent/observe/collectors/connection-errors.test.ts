/**
 * Refused and failed connections: each kind of handshake the test makes fail (refused by
 * middleware, a namespace that does not exist, and engine.io's own refusals) appears with its code
 * in the samples, among the latest examples, and in /metrics; with socket.io's default parser and
 * with the msgpack parser, whose connect_error packets are read otherwise.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ConnectionErrorExample, Sample } from '../../../../server/protocol/models.js';
import { startFixture, type Fixture } from '../../../support/agent-fixture.js';
import { PARSERS } from '../../../support/hosts.js';

describe.each(PARSERS)('connection errors with $name', ({ host }) => {
	let f: Fixture;
	const counts: Record<string, number> = {};
	let recent: ConnectionErrorExample[] = [];

	beforeAll(async () => {
		f = await startFixture(
			{ metrics: { path: '/metrics' } },
			{ allowRequest: (req, callback) => callback(null, req.headers['x-deny'] === undefined) },
			(io) => {
				io.of('/chat').use((socket, next) =>
					next(socket.handshake.auth.name === 'bad' ? new Error('bad name') : undefined)
				);
			},
			host
		);
		const { socket: dashboard } = await f.dashboard();
		dashboard.on('stats:sample', (s: Sample) => {
			for (const [code, n] of Object.entries(s.connectionErrors?.counts ?? {})) {
				counts[code] = (counts[code] ?? 0) + n;
			}
			if (s.connectionErrors?.recent?.length) recent = s.connectionErrors.recent;
		});

		await expect(f.client('/chat', { auth: { name: 'bad' } })).rejects.toThrow('bad name');
		await expect(f.client('/chat', { auth: { name: 'bad' } })).rejects.toThrow('bad name');
		await expect(f.client('/nowhere')).rejects.toThrow('Invalid namespace');
		const engine = `${f.url}/socket.io/?EIO=4`;
		await fetch(`${engine}&transport=carrier-pigeon`);
		await fetch(`${engine}&transport=polling&sid=no-such-session`);
		await fetch(`${engine}&transport=polling`, { method: 'PUT' });
		await fetch(`${engine}&transport=polling`, { headers: { 'x-deny': '1' } });
	});

	afterAll(() => f.close());

	test('each kind appears in the samples with its code', async () => {
		await expect
			.poll(() => counts, { timeout: 5000 })
			.toEqual({
				refused: 2,
				'invalid namespace': 1,
				'unknown transport': 1,
				'unknown session id': 1,
				'bad handshake method': 1,
				forbidden: 1
			});
	});

	test('the latest examples say when, from where and why', () => {
		expect(recent.length).toBe(5);
		expect(recent[0].code).toBe('forbidden');
		expect(recent[0].address).toMatch(/127\.0\.0\.1/);
		expect(recent.map((e) => e.code)).toContain('invalid namespace');
		for (const e of recent) expect(Date.now() - e.t).toBeLessThan(60_000);
	});

	test('examples are streamed once; a new dashboard finds them in its snapshot', async () => {
		const { socket: late, snapshot } = await f.dashboard();
		expect(snapshot.samples[0].connectionErrors?.recent).toEqual(recent);
		const streamed: Sample[] = [];
		late.on('stats:sample', (s: Sample) => streamed.push(s));
		await expect.poll(() => streamed.length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
		// Nothing failed since: the samples say so, and leave the same examples out.
		for (const s of streamed) expect(s.connectionErrors).toEqual({ counts: {} });
	});

	test('/metrics counts them by code', async () => {
		const text = await (await fetch(`${f.url}/metrics`)).text();
		expect(text).toContain('socketio_connection_errors_total{code="refused"} 2');
		expect(text).toContain('socketio_connection_errors_total{code="unknown transport"} 1');
		expect(text).toContain('socketio_connection_errors_total{code="forbidden"} 1');
		expect(text).toContain('socketio_connection_errors_total{code="invalid namespace"} 1');
	});
});

/**
 * A host whose middleware refuses with a message the client shapes (`'denied: ' + input`) cannot
 * fill the agent's table of codes: every such refusal is one code, `refused`, its text kept only
 * with the few latest examples, and a real reason that comes later is still counted on its own.
 */
describe.each(PARSERS)('a thousand distinct refusal messages with $name', ({ host }) => {
	const REFUSALS = 1000;
	let f: Fixture;
	const counts: Record<string, number> = {};
	const codes = new Set<string>();
	let recent: ConnectionErrorExample[] = [];

	beforeAll(async () => {
		f = await startFixture(
			{ metrics: { path: '/metrics' } },
			{},
			(io) => {
				io.of('/gate').use((socket, next) =>
					next(new Error(`denied: ${String(socket.handshake.auth.n)}`))
				);
			},
			host
		);
		const { socket: dashboard } = await f.dashboard();
		dashboard.on('stats:sample', (s: Sample) => {
			for (const [code, n] of Object.entries(s.connectionErrors?.counts ?? {})) {
				codes.add(code);
				counts[code] = (counts[code] ?? 0) + n;
			}
			if (s.connectionErrors?.recent?.length) recent = s.connectionErrors.recent;
		});
		for (let i = 0; i < REFUSALS; i += 100) {
			await Promise.all(
				Array.from({ length: 100 }, (_, j) =>
					expect(f.client('/gate', { auth: { n: i + j } })).rejects.toThrow(`denied: ${i + j}`)
				)
			);
		}
	}, 60_000);

	afterAll(() => f.close());

	test('they are one code, `refused`, in the samples and in /metrics; their texts only in the examples', async () => {
		await expect.poll(() => counts, { timeout: 5000 }).toEqual({ refused: REFUSALS });
		expect([...codes]).toEqual(['refused']);
		expect(recent.length).toBe(5);
		for (const e of recent) {
			expect(e).toMatchObject({ code: 'refused', namespace: '/gate' });
			expect(e.message).toMatch(/^denied: \d+$/);
		}
		const text = await (await fetch(`${f.url}/metrics`)).text();
		const lines = text.split('\n').filter((l) => l.startsWith('socketio_connection_errors_total{'));
		expect(lines).toEqual([`socketio_connection_errors_total{code="refused"} ${REFUSALS}`]);
		expect(text).not.toContain('denied');
	});

	test('a real reason that comes later is still counted on its own', async () => {
		await expect(f.client('/nowhere')).rejects.toThrow('Invalid namespace');
		await fetch(`${f.url}/socket.io/?EIO=4&transport=polling&sid=no-such-session`);
		await expect
			.poll(() => counts, { timeout: 5000 })
			.toEqual({ refused: REFUSALS, 'invalid namespace': 1, 'unknown session id': 1 });
		expect(recent.map((e) => e.code).slice(0, 2)).toEqual([
			'unknown session id',
			'invalid namespace'
		]);
		const text = await (await fetch(`${f.url}/metrics`)).text();
		expect(text).toContain('socketio_connection_errors_total{code="invalid namespace"} 1');
		expect(text).toContain('socketio_connection_errors_total{code="unknown session id"} 1');
		expect(text).toContain(`socketio_connection_errors_total{code="refused"} ${REFUSALS}`);
	});
});
