import { afterEach, describe, expect, test } from 'vitest';
import { NAMESPACES } from '../../server/demo/catalog.js';
import { startDemo, type DemoFixture } from '../support/demo-fixture.js';

let demo: DemoFixture;
afterEach(() => demo?.close());

/** The `connect_error` a client gets, as message and data. */
async function refusal(namespace: string, auth: Record<string, unknown>) {
	const err = await demo.client(namespace, auth).then(
		() => expect.unreachable('the connection was accepted'),
		(e: Error & { data?: unknown }) => e
	);
	return { message: err.message, data: err.data };
}

describe('name middleware', () => {
	test.each([
		['empty', '', 'name must not be empty'],
		['blank', '   ', 'name must not be empty'],
		['longer than 32 characters', 'x'.repeat(33), 'name must be at most 32 characters'],
		[
			'with other characters',
			'<script>',
			'name may only contain letters, digits, spaces, "_", "." and "-"'
		],
		['not a string', 42, 'name must be a string']
	])('refuses a name %s with a connect_error that says why', async (_, name, reason) => {
		demo = await startDemo();
		expect(await refusal('/', { name })).toEqual({
			message: `invalid name: ${reason}`,
			data: { code: 'INVALID_NAME', reason }
		});
	});

	test('guards every demo namespace', async () => {
		demo = await startDemo();
		for (const namespace of NAMESPACES) {
			expect((await refusal(namespace, { name: '' })).message).toBe(
				'invalid name: name must not be empty'
			);
		}
	});

	test('accepts a good name, trimmed, and a handshake without one as a guest', async () => {
		demo = await startDemo();
		const alice = await demo.client('/', { name: ' Alice B. Smith-Jones_2 ' });
		const guest = await demo.client('/tenant-acme');
		const names = (await demo.server.io.fetchSockets()).map((s) => s.data.name);
		const guests = (await demo.server.io.of('/tenant-acme').fetchSockets()).map((s) => s.data.name);
		expect(names).toEqual(['Alice B. Smith-Jones_2']);
		expect(guests).toEqual([`guest-${guest.id?.slice(0, 6)}`]);
		expect(alice.connected).toBe(true);
	});
});
