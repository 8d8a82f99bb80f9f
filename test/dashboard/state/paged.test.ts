/**
 * A list page whose first page was refused for a passing reason (the dashboard's request budget
 * spent, an answer late from a busy host) asks again by itself: before, it stayed empty with an
 * error until the user pressed reload (a browser test beside a second suite found the Disconnects
 * page so). Refusals that will not pass are not asked again.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Page } from '../../../server/protocol/models.js';
import { RequestError } from '../../../src/lib/connectors/connector.js';
import { PagedList } from '../../../src/lib/state/paged.svelte.js';

const page: Page<string> = { rows: ['a', 'b'], total: 2, nextCursor: null, missingNodes: [] };

/** A fetch that throws each of `refusals` in turn, then answers `page`; counts its calls. */
function source(...refusals: RequestError[]) {
	const calls = { count: 0 };
	const fetch = async () => {
		const refusal = refusals[calls.count++];
		if (refusal) throw refusal;
		return page;
	};
	return { fetch, calls };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('PagedList', () => {
	it('asks for a rate-limited first page again once the agent says it may', async () => {
		const { fetch, calls } = source(new RequestError('E_RATE_LIMITED', 'Too many requests.', 2));
		const list = new PagedList(fetch);
		await list.reload();
		expect(list.error).toBe('Too many requests.');
		expect(list.loaded).toBe(false);
		await vi.advanceTimersByTimeAsync(1999);
		expect(calls.count).toBe(1);
		await vi.advanceTimersByTimeAsync(1);
		expect(calls.count).toBe(2);
		expect(list.rows).toEqual(['a', 'b']);
		expect(list.error).toBeNull();
	});

	it('waits longer each time a first page times out, then shows it', async () => {
		const late = () => new RequestError('E_TIMEOUT', 'The server did not answer in time.');
		const { fetch, calls } = source(late(), late(), late());
		const list = new PagedList(fetch);
		await list.reload();
		await vi.advanceTimersByTimeAsync(1000);
		expect(calls.count).toBe(2);
		await vi.advanceTimersByTimeAsync(1999);
		expect(calls.count).toBe(2);
		await vi.advanceTimersByTimeAsync(1);
		expect(calls.count).toBe(3);
		await vi.advanceTimersByTimeAsync(4000);
		expect(calls.count).toBe(4);
		expect(list.loaded).toBe(true);
		expect(list.rows).toEqual(['a', 'b']);
	});

	it('does not ask again after a refusal that will not pass, nor after the page closed', async () => {
		const forbidden = source(new RequestError('E_FORBIDDEN', 'Not yours.'));
		const refused = new PagedList(forbidden.fetch);
		await refused.reload();
		const limited = source(new RequestError('E_RATE_LIMITED', 'Too many requests.', 1));
		const closed = new PagedList(limited.fetch);
		await closed.reload();
		closed.dispose();
		await vi.advanceTimersByTimeAsync(60_000);
		expect(forbidden.calls.count).toBe(1);
		expect(refused.error).toBe('Not yours.');
		expect(limited.calls.count).toBe(1);
	});

	it('loads the next page asked for while a refresh is under way once the refresh is in, once', async () => {
		// Rows 0..249 in pages: each answer is held until the test lets it through.
		const asked: { cursor: string | undefined; limit: number; answer: () => void }[] = [];
		const fetch = (cursor: string | undefined, limit: number) =>
			new Promise<Page<number>>((resolve) => {
				const from = cursor === undefined ? 0 : Number(cursor);
				const to = Math.min(250, from + limit);
				const rows = Array.from({ length: to - from }, (_, i) => from + i);
				const answer = () =>
					resolve({ rows, total: 250, nextCursor: to < 250 ? String(to) : null, missingNodes: [] });
				asked.push({ cursor, limit, answer });
			});
		const list = new PagedList(fetch, 100);
		const first = list.reload();
		asked[0].answer();
		await first;
		expect(list.rows.length).toBe(100);

		// A sample starts a refresh; "Load more" is pressed before its answer, twice.
		await vi.advanceTimersByTimeAsync(1000);
		const refreshed = list.refresh(0, 1000);
		expect(list.loading).toBe(true);
		const more = list.more();
		const again = list.more();
		expect(asked.length).toBe(2);
		asked[1].answer();
		await refreshed;
		await vi.advanceTimersByTimeAsync(0);
		// The next page is asked for once the refresh is in, from where it ended.
		expect(asked.map(({ cursor, limit }) => [cursor, limit])).toEqual([
			[undefined, 100],
			[undefined, 100],
			['100', 100]
		]);
		asked[2].answer();
		expect(await more).toBe(true);
		expect(await again).toBe(false);
		expect(list.rows).toEqual(Array.from({ length: 200 }, (_, i) => i));
		expect(list.loading).toBe(false);
	});
});
