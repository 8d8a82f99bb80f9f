/**
 * The admin-ui connector against a real @socket.io/admin-ui server: it logs in and comes back with
 * its session id, its commands act on real clients, and refusals read as the native source's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KICK_EVENT } from '../../../../server/protocol/commands.js';
import type { Sample, Snapshot } from '../../../../server/protocol/models.js';
import { AdminUiConnector } from '../../../../src/lib/connectors/admin-ui/connector.js';
import type {
	ConnectionProblem,
	ConnectionStatus,
	ConnectorListener,
	Credentials,
	Target
} from '../../../../src/lib/connectors/connector.js';
import { startAdminUiServer, type AdminUiServer } from '../../../support/admin-ui-fixture.js';
import { connectClients, disconnectAll, type ChatClient } from '../../../e2e/server.js';

const LOGIN = { username: 'admin', password: 'admin-pw' };

interface Recorded {
	listener: ConnectorListener;
	statuses: [ConnectionStatus, ConnectionProblem | null][];
	snapshots: Snapshot[];
	samples: Sample[];
	grants: string[];
}

function record(): Recorded {
	const r: Omit<Recorded, 'listener'> = { statuses: [], snapshots: [], samples: [], grants: [] };
	return {
		...r,
		listener: {
			status: (status, problem) => r.statuses.push([status, problem]),
			snapshot: (s) => r.snapshots.push(s),
			sample: (s) => r.samples.push(s),
			log: () => {},
			audit: () => {},
			grant: (g) => r.grants.push(g.token)
		}
	};
}

async function until(check: () => boolean, timeout = 8000): Promise<void> {
	const start = Date.now();
	while (!check()) {
		if (Date.now() - start > timeout) throw new Error('timed out');
		await new Promise((r) => setTimeout(r, 25));
	}
}

const lastStatus = (r: Recorded) => r.statuses.at(-1);

describe('AdminUiConnector', () => {
	let server: AdminUiServer;
	let clients: ChatClient[];
	let target: Target;
	const auths: Record<string, unknown>[] = [];
	const connector = new AdminUiConnector();
	const seen = record();

	beforeAll(async () => {
		server = await startAdminUiServer({ login: LOGIN });
		server.io.of('/admin').on('connection', (s) => auths.push(s.handshake.auth));
		clients = [
			...(await connectClients(server.url, '/chat', 'lobby', 4)),
			...(await connectClients(server.url, '/chat', 'games', 2))
		];
		target = { url: server.url, namespace: '/admin', path: '/socket.io', kind: 'admin-ui' };
		connector.open(target, { user: LOGIN.username, password: LOGIN.password }, seen.listener);
		await until(() => seen.snapshots.length === 1);
	});

	afterAll(async () => {
		connector.close();
		disconnectAll(clients);
		await server?.close();
	});

	it('announces itself once the config, the socket list and the server stats are in', () => {
		const [snapshot] = seen.snapshots;
		expect(lastStatus(seen)?.[0]).toBe('connected');
		expect(snapshot.features).toEqual(['sockets', 'rooms', 'events', 'commands']);
		expect(snapshot.principal).toEqual({ name: 'admin', role: 'admin' });
		expect(snapshot.samples[0].namespaces.find((n) => n.name === '/chat')?.sockets).toBe(6);
		expect(connector.source.label).toBe('@socket.io/admin-ui · development mode');
	});

	it('sends a sample a second', async () => {
		const before = seen.samples.length;
		await until(() => seen.samples.length >= before + 2, 3500);
	});

	it('comes back with its session id, not the password, after the server drops it', async () => {
		expect(seen.grants).toHaveLength(1);
		server.io.of('/admin').disconnectSockets();
		await until(() => seen.snapshots.length === 2);
		expect(auths.at(-1)).toEqual({ sessionId: seen.grants[0] });
		expect(seen.statuses.map((s) => s[0])).toContain('reconnecting');
		expect(lastStatus(seen)?.[0]).toBe('connected');
		await new Promise((r) => setTimeout(r, 300));
		expect(seen.snapshots).toHaveLength(2);
	});

	it('moves a socket between rooms: a join, then a leave', async () => {
		const id = clients[0].socket.id!;
		const result = await connector.command('socket:move', {
			namespace: '/chat',
			id,
			from: 'lobby',
			to: 'arcade'
		});
		expect(result.sockets).toBe(1);
		const [socket] = await server.io.of('/chat').in(id).fetchSockets();
		expect([...socket.rooms].filter((r) => r !== id)).toEqual(['arcade']);
	});

	it('kicks a socket, telling it why first', async () => {
		const target = clients.pop()!;
		const result = await connector.command('socket:disconnect', {
			namespace: '/chat',
			id: target.socket.id!,
			reason: 'spamming'
		});
		expect(result.sockets).toBe(1);
		await until(() => target.disconnectReason !== null);
		expect(target.disconnectReason).toBe('io server disconnect');
		expect(target.received).toContainEqual({ event: KICK_EVENT, args: [{ reason: 'spamming' }] });
	});

	it('sends a test event to one socket only', async () => {
		const [to, other] = [clients[1], clients[2]];
		await connector.command('emit:send', {
			namespace: '/chat',
			socket: to.socket.id!,
			event: 'probe',
			args: ['hi', { n: 1 }]
		});
		await until(() => to.received.some((r) => r.event === 'probe'));
		expect(to.received).toContainEqual({ event: 'probe', args: ['hi', { n: 1 }] });
		expect(other.received.some((r) => r.event === 'probe')).toBe(false);
	});

	it('moves a whole room after a dry run that changes nothing', async () => {
		const dry = await connector.command('room:move', {
			namespace: '/chat',
			room: 'games',
			to: 'hall',
			dryRun: true
		});
		expect(dry).toEqual({ sockets: 1, nodes: {}, dryRun: true });
		expect(await server.io.of('/chat').in('hall').fetchSockets()).toHaveLength(0);
		await connector.command('room:move', { namespace: '/chat', room: 'games', to: 'hall' });
		expect(await server.io.of('/chat').in('hall').fetchSockets()).toHaveLength(1);
		expect(await server.io.of('/chat').in('games').fetchSockets()).toHaveLength(0);
	});

	/** The problem a fresh connector reports once it reaches `status`. */
	async function problemOf(
		at: Partial<Target>,
		credentials: Credentials,
		status: ConnectionStatus
	): Promise<ConnectionProblem | null> {
		const other = new AdminUiConnector();
		const r = record();
		other.open({ ...target, ...at }, credentials, r.listener);
		try {
			await until(() => lastStatus(r)?.[0] === status);
			return lastStatus(r)![1];
		} finally {
			other.close();
		}
	}

	it('says a wrong password the way the native source does', async () => {
		expect(await problemOf({}, { user: 'admin', password: 'wrong' }, 'refused')).toEqual({
			kind: 'auth-invalid',
			message: 'Wrong user name or password.'
		});
	});

	it('says a server that cannot be reached will be retried', async () => {
		expect(await problemOf({ url: 'http://127.0.0.1:9' }, null, 'reconnecting')).toMatchObject({
			kind: 'unreachable',
			message: 'The server cannot be reached.'
		});
	});

	it('says when the namespace is not admin-ui’s', async () => {
		const problem = await problemOf({ namespace: '/nothing' }, null, 'refused');
		expect(problem?.message).toMatch(/no @socket.io\/admin-ui namespace “\/nothing”/);
	});
});
