import { describe, expect, it } from 'vitest';
import type { History, HistoryQuery, Snapshot } from '../../../server/protocol/models.js';
import { DashboardModel } from '../../../src/lib/state/model.svelte.js';
import { history, namespace, sample } from '../fixtures.js';

const T0 = 1_700_000_000_000;

function snapshot(fields: Partial<Snapshot> = {}): Snapshot {
	return {
		protocol: 2,
		principal: { name: 'ops', role: 'admin' },
		features: ['sockets', 'commands'],
		node: {
			nodeId: 'a',
			hostname: 'h',
			pid: 1,
			startedAt: T0,
			socketIoVersion: '4',
			agentVersion: '0',
			adapter: 'Adapter'
		},
		samples: [sample('a', T0 + 2000, [namespace('/chat', { sockets: 5 })])],
		history: [history('a', T0, [3, 4, 5], [3, 1, 1])],
		namespaces: [],
		limits: { pageSize: 500, logMaxPerSecond: 100, payloads: false },
		...fields
	};
}

describe('DashboardModel', () => {
	it('starts from the snapshot’s history and latest samples', () => {
		const model = new DashboardModel(async () => []);
		// Liveness is judged by arrival in the browser's clock: they arrive now.
		model.applySnapshot(snapshot());
		expect(model.series.points('sockets:/chat').map((p) => p.y)).toEqual([3, 4, 5]);
		expect(model.totals.sockets).toBe(5);
		model.applySample(sample('a', T0 + 3000, [namespace('/chat', { sockets: 6 })]));
		expect(model.totals.sockets).toBe(6);
		expect(model.series.points('sockets:/chat').map((p) => p.y)).toEqual([3, 4, 5, 6]);
	});

	it('reads the traffic tiles over the same ten seconds as the Namespaces page', () => {
		const model = new DashboardModel(async () => []);
		model.applySnapshot(snapshot({ samples: [] }));
		// A burst of 40 events, then three quiet seconds: the last interval alone would say 0.
		model.applySample(sample('a', T0 + 3000, [namespace('/chat', { eventsIn: 40 })]));
		for (let i = 4; i <= 6; i++)
			model.applySample(sample('a', T0 + i * 1000, [namespace('/chat')]));
		expect(model.totals.eventsIn).toBe(10);
		expect(model.totals.eventsIn).toBe(model.namespaceRates.get('/chat')?.eventsIn);
		expect(model.totals.namespaces[0].eventsIn).toBe(10);
	});

	it('keeps the samples that arrive while a longer range loads', async () => {
		let answer: (h: History[]) => void = () => {};
		const model = new DashboardModel((query: HistoryQuery) => {
			expect(query).toEqual({ range: '15m' });
			return new Promise((resolve) => (answer = resolve));
		});
		model.applySnapshot(snapshot());
		const loading = model.loadRange('15m');
		model.applySample(sample('a', T0 + 3000, [namespace('/chat', { sockets: 6 })]));
		answer([history('a', T0 - 10_000, [1, 1, 1], [0, 0, 0])]);
		await loading;
		expect(model.series.points('sockets:/chat').map((p) => p.y)).toEqual([1, 1, 1, 6]);
		expect(model.range).toBe('15m');
	});

	it('shows a range or span chosen before the first snapshot once it comes', async () => {
		const asked: HistoryQuery[] = [];
		const model = new DashboardModel(async (query) => (asked.push(query), []));
		model.choose('1m', null);
		model.applySnapshot(snapshot());
		expect(asked).toEqual([]);
		expect(model.historyError).toBe(false);
		expect(model.window.max - model.window.min).toBe(60_000);
		model.choose('5m', { from: T0 - 60_000, to: T0 });
		model.applySnapshot(snapshot());
		expect(asked).toEqual([{ from: T0 - 60_000, to: T0 }]);
	});

	it('shows an absolute span fixed, without live samples, until a range again', async () => {
		const asked: HistoryQuery[] = [];
		const model = new DashboardModel(async (query) => {
			asked.push(query);
			return 'from' in query ? [history('a', T0 - 60_000, [4, 4], [0, 0])] : [];
		});
		model.applySnapshot(snapshot());
		await model.loadSpan({ from: T0 - 62_000, to: T0 - 50_000 });
		expect(asked.at(-1)).toEqual({ from: T0 - 62_000, to: T0 - 50_000 });
		model.applySample(sample('a', T0 + 3000, [namespace('/chat', { sockets: 6 })]));
		expect(model.series.points('sockets:/chat').map((p) => p.y)).toEqual([4, 4]);
		expect(model.window).toEqual({ min: T0 - 62_000, max: T0 - 50_000 });
		await model.loadRange('5m');
		expect(model.span).toBeNull();
		expect(asked.at(-1)).toEqual({ range: '5m' });
	});

	it('lets only admins act, and only in their namespaces, when the agent accepts commands', () => {
		const model = new DashboardModel(async () => []);
		model.applySnapshot(
			snapshot({ principal: { name: 't', role: 'admin', namespaces: ['/news'] } })
		);
		expect([model.canAct('/news'), model.canAct('/chat')]).toEqual([true, false]);
		model.applySnapshot(snapshot({ principal: { name: 'v', role: 'readonly' } }));
		expect(model.canAct('/news')).toBe(false);
		expect(model.actionsUnavailable('/news')).toBeNull();
		model.applySnapshot(snapshot({ features: ['sockets'] }));
		expect(model.canAct('/news')).toBe(false);
		expect(model.actionsUnavailable('/news')).toMatch(/does not accept admin commands/);
	});

	it('keeps a node’s connection-error examples while its samples leave them out as unchanged', () => {
		const model = new DashboardModel(async () => []);
		model.applySnapshot(snapshot({ samples: [] }));
		const example = {
			t: T0,
			address: '127.0.0.1',
			code: 'refused',
			message: 'bad name',
			namespace: '/chat'
		};
		const errors = (recent?: (typeof example)[]) => ({
			connectionErrors: { counts: {}, ...(recent ? { recent } : {}) }
		});
		model.applySample(sample('a', T0 + 1000, [namespace('/chat')], errors([example])));
		model.applySample(sample('a', T0 + 2000, [namespace('/chat')], errors()));
		expect(model.connectionErrors).toEqual([{ ...example, nodeId: 'a' }]);
		// New examples replace them; an empty list empties them.
		model.applySample(sample('a', T0 + 3000, [namespace('/chat')], errors([])));
		expect(model.connectionErrors).toEqual([]);
	});
});
