/**
 * A host whose `Object.prototype` carries enumerable keys (a library's doing, or a test suite's:
 * socket.io's own sets `Object.prototype.foo = "bar"`) still gets a working agent: the import, the
 * options, the login, the figures and the requests all read own properties only, and input that
 * aims at a prototype from a dashboard is still refused.
 *
 * The prototype is polluted before the agent (and socket.io) are imported: they are imported
 * dynamically below, and vitest gives this file its own module graph.
 *
 * Not polluted here: `get`, `set` and `value`. With any of them on `Object.prototype`, every
 * `Object.defineProperty(o, k, { value })` in the process throws, socket.io's own compiled
 * `Object.defineProperty(exports, "__esModule", { value: true })` first, so no host runs with them.
 * `foo` stands for the key the validation library of earlier versions (zod) tripped on: it read
 * `Object.getOwnPropertyDescriptor(table, key).get` for every key of a `for…in`, inherited ones too.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import type { Fixture } from '../support/agent-fixture.js';
import type { Page, Sample, SocketRow } from '../../server/protocol/models.js';

/** Each key with a value that would break something if the agent read it as an option or a field. */
const POLLUTION: Record<string, unknown> = {
	// socket.io's own test suite.
	foo: 'bar',
	// Options the host did not give: read through the prototype, each would be refused or misused.
	sampleInterval: 1,
	httpServer: 'not a server',
	authorize: 'not a function',
	// Fields of a dashboard's request that it left out.
	namespace: 42,
	limit: 'many',
	room: ['not', 'a', 'room']
};

let fixtures: typeof import('../support/agent-fixture.js');
let fx: Fixture;
let dashboard: ClientSocket;

beforeAll(async () => {
	for (const [key, value] of Object.entries(POLLUTION)) {
		(Object.prototype as Record<string, unknown>)[key] = value;
	}
	// After the pollution: importing the fixture imports socket.io and the whole agent.
	fixtures = await import('../support/agent-fixture.js');
	const { user, login } = await import('../support/dashboard-client.js');
	fx = await fixtures.startFixture({ auth: { users: [user('alice', 'admin')] } });
	({ socket: dashboard } = await login(fx, { user: 'alice', password: 'alice-pw' }));
});

afterAll(async () => {
	await fx?.close();
	for (const key of Object.keys(POLLUTION))
		delete (Object.prototype as Record<string, unknown>)[key];
});

describe('with Object.prototype polluted before import and before instrument()', () => {
	test('the agent started with the options as given, not as inherited', () => {
		expect(Object.keys(Object.prototype)).toEqual(Object.keys(POLLUTION));
		expect(fx.agent.options.sampleInterval).toBe(200);
		expect(fx.agent.options.namespace).toBe('/sockscope');
	});

	test('figures flow: a sample counts the connected sockets', async () => {
		const seen = fixtures.nextSample(
			dashboard,
			(s: Sample) => s.namespaces.find((n) => n.name === '/')?.sockets === 3
		);
		await Promise.all([fx.client('/'), fx.client('/'), fx.client('/')]);
		expect((await seen).namespaces.find((n) => n.name === '/')?.sockets).toBe(3);
	});

	test('a query reads only the fields the dashboard sent', async () => {
		const page = await fixtures.ask<Page<SocketRow>>(dashboard, 'sockets:query', {});
		expect(page.rows.filter((row) => row.namespace === '/')).toHaveLength(3);
		await expect(
			fixtures.ask(dashboard, 'sockets:query', { namespace: '/', limit: 2 })
		).resolves.toMatchObject({ rows: [{}, {}] });
	});

	test('a live window opens on the fields sent, and sends its rows', async () => {
		const update = fixtures.once<{ total: number; rows: SocketRow[] }>(dashboard, 'sockets:window');
		await fixtures.ask(dashboard, 'sockets:watch', {
			watch: 1,
			query: { namespace: '/' },
			limit: 10
		});
		expect(await update).toMatchObject({ total: 3 });
	});

	test('prototype keys sent by a dashboard are still refused', async () => {
		await expect(
			fixtures.ask(dashboard, 'sockets:query', { constructor: 'x' })
		).rejects.toMatchObject({
			code: 'E_VALIDATION',
			message:
				'payload: unknown field "constructor"; the fields here are "namespace", "room", "transport", "nodeId", "text", "sort", "order", "cursor", "limit"'
		});
		// Parsed on the server into an own `__proto__` key, as JSON.parse does.
		const args = [JSON.parse('{"__proto__": {"admin": true}}')];
		await expect(
			fixtures.ask(dashboard, 'emit:send', { namespace: '/', event: 'note', args })
		).rejects.toMatchObject({
			code: 'E_VALIDATION',
			message: 'args.0.__proto__: is a forbidden key'
		});
	});
});
