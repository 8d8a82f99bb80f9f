import { describe, expect, test } from 'vitest';
import { Server } from 'socket.io';
import { instrument } from '../../server/agent/index.js';

describe('instrument() options', () => {
	const io = new Server();
	const cases: [string, unknown, RegExp][] = [
		['no options', undefined, /options are required/],
		['auth left out', {}, /option "auth" is required/],
		['auth: true', { auth: true }, /option "auth"/],
		['a namespace without a slash', { auth: false, namespace: 'admin' }, /option "namespace": must start with "\/"/],
		['a dashboard path without a slash', { auth: false, dashboard: { path: 'x' } }, /option "dashboard\.path": must be an absolute path/],
		['a misspelt option', { auth: false, metricz: {} }, /metricz/],
		['a plain-text password', { auth: { users: [{ name: 'a', passwordHash: 'secret', role: 'admin' }] } }, /option "auth\.users\[0\]" \("a"\): passwordHash must be a bcrypt hash — set it to the output of `npx sockscope hash-password`/],
		['an unknown role', { auth: { users: [{ name: 'a', passwordHash: '$2b$04$' + 'a'.repeat(53), role: 'root' }] } }, /option "auth\.users\[0\]" \("a"\): role must be 'admin' or 'readonly'/],
		['a short secret', { auth: { secret: 'short' } }, /option "auth\.secret": must be at least 16 characters/],
		['a sample interval of 0', { auth: false, sampleInterval: 0 }, /option "sampleInterval"/],
		['the same path twice', { auth: false, dashboard: { path: '/x' }, metrics: { path: '/x' } }, /option "metrics.path"/],
		['buckets out of order', { auth: false, metrics: { buckets: { ackLatency: [0.1, 0.05] } } }, /option "metrics\.buckets\.ackLatency": must be in ascending order/],
		['a bucket bound twice', { auth: false, metrics: { buckets: { heartbeatRtt: [0.01, 0.01] } } }, /option "metrics\.buckets\.heartbeatRtt": must be in ascending order/],
		['a bucket bound of 0', { auth: false, metrics: { buckets: { ackLatency: [0, 1] } } }, /option "metrics\.buckets\.ackLatency\[0\]"/],
		['an infinite bucket bound', { auth: false, metrics: { buckets: { ackLatency: [1, Infinity] } } }, /option "metrics\.buckets\.ackLatency\[1\]"/],
		['too many buckets', { auth: false, metrics: { buckets: { ackLatency: Array.from({ length: 31 }, (_, i) => i + 1) } } }, /option "metrics\.buckets\.ackLatency": must have at most 30 bounds/],
		['no buckets', { auth: false, metrics: { buckets: { ackLatency: [] } } }, /option "metrics\.buckets\.ackLatency"/],
		['a misspelt histogram', { auth: false, metrics: { buckets: { ackLatencies: [1] } } }, /ackLatencies/],
		['a misspelt limit', { auth: false, limits: { inflight: 2 } }, /option "limits": unknown option "inflight" — did you mean "inFlight"\?/],
		['a fraction where a count goes', { auth: false, limits: { burst: 2.5 } }, /option "limits\.burst": must be an integer/],
		['a number out of range', { auth: false, roomHistory: { largest: 101 } }, /option "roomHistory\.largest": must be at most 100/],
		['a string where a switch goes', { auth: false, otel: 'yes' }, /option "otel": must be true or false; got a string/],
		['a host function not a function', { auth: false, label: 'id' }, /option "label": must be a function; got a string/]
	];
	test.each(cases)('refuses %s with an error naming the option', (_name, options, message) => {
		expect(() => instrument(io, options as never)).toThrow(message);
		// Nothing was wired: no admin namespace was created.
		expect(io._nsps.has('/sockscope')).toBe(false);
	});

	test('accepts auth: false written explicitly, and fills the defaults', async () => {
		const agent = instrument(io, { auth: false });
		expect(agent.options).toMatchObject({
			namespace: '/sockscope',
			dashboard: { path: '/sockscope' },
			metrics: false,
			sampleInterval: 1000,
			redact: { socketData: true, auth: true }
		});
		await agent.close();
	});
});
