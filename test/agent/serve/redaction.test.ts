/**
 * A dashboard sees a socket's handshake through an allowlist: a token in the query, in the URL or
 * in a header nobody listed stays hidden from every user, unless the operator widens the list.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InstrumentOptions } from '../../../server/agent/index.js';
import type { SocketDetails } from '../../../server/protocol/models.js';
import { ask, startFixture, type Fixture } from '../../support/agent-fixture.js';
import { closeDashboards, login, user } from '../../support/dashboard-client.js';

let fx: Fixture | undefined;
afterEach(async () => {
	closeDashboards();
	await fx?.close();
	fx = undefined;
});

const SECRETS = ['query-secret-1', 'header-secret-2'];

async function detailsSeenByViewer(redact?: InstrumentOptions['redact']): Promise<SocketDetails> {
	fx = await startFixture({ auth: { users: [user('viewer', 'readonly')] }, redact });
	const client = await fx.client('/', {
		query: { access_token: SECRETS[0], room: 'lobby' },
		extraHeaders: { 'x-auth-token': SECRETS[1], 'user-agent': 'chat-app/2.1' }
	});
	const { socket } = await login(fx, { user: 'viewer', password: 'viewer-pw' });
	return ask<SocketDetails>(socket, 'socket:details', { namespace: '/', id: client.id });
}

describe('redaction', () => {
	it('hides the query, the URL query and unlisted headers by default, and shows safe headers', async () => {
		const details = await detailsSeenByViewer();
		const text = JSON.stringify(details);
		for (const secret of SECRETS) expect(text).not.toContain(secret);
		expect(details.handshake.headers['x-auth-token']).toBe('[redacted]');
		expect(details.handshake.headers['user-agent']).toBe('chat-app/2.1');
		expect(details.handshake.query).toMatchObject({
			access_token: '[redacted]',
			room: '[redacted]'
		});
		expect(details.handshake.url).toMatch(/^\/socket\.io\/\?.*access_token=\[redacted\]/);
	});

	it("shows Engine.IO's own query fields as its client writes them, and hides the rest", async () => {
		fx = await startFixture({ auth: { users: [user('viewer', 'readonly')] } });
		// Polling first: the client adds the cache-buster `t` there.
		const polling = await fx.client('/', {
			transports: ['polling'],
			query: { access_token: SECRETS[0] }
		});
		// Over WebSocket the client adds no `t`: this one is the app's own, shaped like a token.
		const websocket = await fx.client('/', {
			transports: ['websocket'],
			query: { t: 'eyJhbGciOiJIUzI1NiJ9.e30.sig' }
		});
		const { socket } = await login(fx, { user: 'viewer', password: 'viewer-pw' });
		const seen = (id: string | undefined) =>
			ask<SocketDetails>(socket, 'socket:details', { namespace: '/', id });
		const first = await seen(polling.id);
		expect(first.handshake.query).toEqual({
			EIO: '4',
			transport: 'polling',
			t: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
			access_token: '[redacted]'
		});
		expect(first.handshake.url).toMatch(/[?&]EIO=4(&|$)/);
		expect(first.handshake.url).toMatch(/[?&]transport=polling(&|$)/);
		expect(first.handshake.url).toContain(`t=${first.handshake.query.t}`);
		expect(first.handshake.url).toContain('access_token=[redacted]');
		const second = await seen(websocket.id);
		expect(second.handshake.query).toMatchObject({
			EIO: '4',
			transport: 'websocket',
			t: '[redacted]'
		});
		expect(JSON.stringify([first, second])).not.toContain(SECRETS[0]);
		expect(JSON.stringify(second)).not.toContain('eyJhbGciOiJIUzI1NiJ9');
	});

	it('shows what the operator lists', async () => {
		const details = await detailsSeenByViewer({
			showHeaders: ['user-agent', 'x-auth-token'],
			showQuery: ['room']
		});
		expect(details.handshake.headers['x-auth-token']).toBe(SECRETS[1]);
		expect(details.handshake.query).toMatchObject({ access_token: '[redacted]', room: 'lobby' });
		expect(details.handshake.url).toContain('room=lobby');
		expect(details.handshake.url).not.toContain(SECRETS[0]);
	});
});
