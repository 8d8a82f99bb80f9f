/**
 * A multi-tenant app, one dynamic namespace per workspace: what a dashboard receives is bounded by
 * `TOP_NAMESPACES`, not by the number of namespaces, and the whole list is paged, searched and
 * sorted on request. The sockets share a few connections (support/tenants.ts), which lets the
 * suite hold the 10,000 namespaces in a few seconds.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import { TOP_NAMESPACES } from '../../../server/protocol/limits.js';
import type { NamespacesPage, Sample, Snapshot } from '../../../server/protocol/models.js';
import { OTHER_NAMESPACES } from '../../../server/protocol/vocabulary.js';
import { ask, nextSample, startFixture, type Fixture } from '../../support/agent-fixture.js';
import { closeDashboards, login, user } from '../../support/dashboard-client.js';
import { connectTenants, serveTenants, tenantName, type Tenants } from '../../support/tenants.js';

const NAMESPACES = 10_000;
/** The tenants' and the main namespace `/`, which every Server has. */
const IN_VIEW = NAMESPACES + 1;
/** The bound for the first view at 10,000 namespaces. */
const FIRST_VIEW_BYTES = 60 * 1024;
/** The Overview's stream (patches after a whole sample) at one sample a second. */
const STREAM_BYTES_PER_SECOND = 4 * 1024;
/** A whole sample: `TOP_NAMESPACES` rows and the folded rest, whatever the number of namespaces. */
const WHOLE_SAMPLE_BYTES = 6 * 1024;

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

let f: Fixture;
let tenants: Tenants;
let dashboard: ClientSocket;
let snapshot: Snapshot;

beforeAll(async () => {
	const users = [user('alice', 'readonly'), user('tom', 'readonly', [tenantName(7), tenantName(NAMESPACES - 1)])];
	// One sample a second, as the agent's default: the stream's bytes per sample are its bytes/s.
	f = await startFixture({ auth: { users }, sampleInterval: 1000 }, {}, serveTenants);
	tenants = await connectTenants(f.url, NAMESPACES);
	// Connected: a sample that counts every socket, then a dashboard's first view.
	({ socket: dashboard } = await login(f, { user: 'alice', password: 'alice-pw' }));
	await nextSample(dashboard, (s) => sockets(s) === NAMESPACES);
	({ socket: dashboard, snapshot } = await login(f, { user: 'alice', password: 'alice-pw' }));
}, 120_000);

afterAll(async () => {
	closeDashboards();
	tenants?.close();
	await f?.close();
});

function sockets(s: Sample): number {
	return s.namespaces.reduce((n, ns) => n + ns.sockets, s.otherNamespaces?.sockets ?? 0);
}

describe(`${NAMESPACES} dynamic namespaces × 1 socket`, () => {
	test('the first view carries the largest namespaces and the rest as one row, under 60 KB', () => {
		const size = bytes(snapshot);
		console.log(
			`snapshot: ${size} bytes (samples ${bytes(snapshot.samples)}, history ${bytes(snapshot.history)}, namespaces ${bytes(snapshot.namespaces)})`
		);
		expect(size).toBeLessThanOrEqual(FIRST_VIEW_BYTES);
		expect(snapshot.namespaces).toHaveLength(TOP_NAMESPACES);
		expect(snapshot.otherNamespaces).toMatchObject({
			name: OTHER_NAMESPACES,
			namespaces: IN_VIEW - TOP_NAMESPACES,
			sockets: NAMESPACES - TOP_NAMESPACES
		});
		for (const history of snapshot.history) {
			expect(Object.keys(history.namespaces).length).toBeLessThanOrEqual(TOP_NAMESPACES + 1);
		}
		const [sample] = snapshot.samples;
		expect(sample.namespaces).toHaveLength(TOP_NAMESPACES);
		expect(sample.otherNamespaces?.namespaces).toBe(IN_VIEW - TOP_NAMESPACES);
		expect(sockets(sample)).toBe(NAMESPACES);
	});

	test('the sample stream stays bounded: 6 KB whole, under 4 KB a second as the dashboard takes it', async () => {
		const whole = await nextSample(dashboard, (s) => sockets(s) === NAMESPACES);
		console.log(`streamed sample: ${bytes(whole)} bytes`);
		expect(bytes(whole)).toBeLessThanOrEqual(WHOLE_SAMPLE_BYTES);
		// As the dashboard takes them: a whole sample, then patches of what changed.
		const { socket: patched } = await login(f, { user: 'alice', password: 'alice-pw', samples: 'patches' });
		const sizes: number[] = [];
		await new Promise<void>((resolve) => {
			const count = (payload: unknown) => {
				sizes.push(bytes(payload));
				if (sizes.length === 5) resolve();
			};
			patched.on('stats:sample', count);
			patched.on('stats:patch', count);
		});
		console.log(`patched stream: ${sizes.join(', ')} bytes per sample`);
		// One sample a second: the mean bytes per sample are the stream's bytes per second.
		const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
		expect(mean).toBeLessThanOrEqual(STREAM_BYTES_PER_SECOND);
	});

	test('namespaces:query pages through every namespace once, by name, 500 at a time', async () => {
		const seen: string[] = [];
		let cursor: string | undefined;
		let pages = 0;
		do {
			const page: NamespacesPage = await ask(dashboard, 'namespaces:query', {
				sort: 'name',
				limit: 500,
				...(cursor && { cursor })
			});
			expect(page.total).toBe(IN_VIEW);
			expect(bytes(page)).toBeLessThan(100 * 1024);
			seen.push(...page.rows.map((r) => r.name).filter((n) => n !== '/'));
			cursor = page.nextCursor ?? undefined;
			pages++;
		} while (cursor);
		expect(pages).toBe(Math.ceil(IN_VIEW / 500));
		expect(seen).toEqual(Array.from({ length: NAMESPACES }, (_, i) => tenantName(i)));
	});

	test('the default page is the largest 100; a search finds one namespace by name', async () => {
		const first = await ask<NamespacesPage>(dashboard, 'namespaces:query', {});
		expect(first.rows).toHaveLength(100);
		expect(first.all).toMatchObject({ namespaces: IN_VIEW, sockets: NAMESPACES });
		const found = await ask<NamespacesPage>(dashboard, 'namespaces:query', { text: 'WS-02345' });
		expect(found.rows.map((r) => r.name)).toEqual([tenantName(2345)]);
		expect(found.rows[0]).toMatchObject({ sockets: 1, rooms: 1, connects: 1 });
		const last = await ask<NamespacesPage>(dashboard, 'namespaces:query', {
			sort: 'name',
			order: 'desc',
			limit: 2
		});
		expect(last.rows.map((r) => r.name)).toEqual([
			tenantName(NAMESPACES - 1),
			tenantName(NAMESPACES - 2)
		]);
	});

	test('a scoped user sees its namespaces alone, everywhere', async () => {
		const mine = [tenantName(7), tenantName(NAMESPACES - 1)];
		const { socket: tom, snapshot: his } = await login(f, { user: 'tom', password: 'tom-pw' });
		expect(his.namespaces.map((n) => n.name).sort()).toEqual(mine);
		expect(his.otherNamespaces).toBeUndefined();
		const sample = await nextSample(tom);
		expect(sample.namespaces.map((n) => n.name).sort()).toEqual(mine);
		expect(sample.otherNamespaces).toBeUndefined();
		const page = await ask<NamespacesPage>(tom, 'namespaces:query', { sort: 'name' });
		expect(page.rows.map((r) => r.name)).toEqual(mine);
		expect(page.all.namespaces).toBe(2);
		for (const history of his.history) {
			for (const name of Object.keys(history.namespaces)) expect(mine).toContain(name);
		}
	});
});
