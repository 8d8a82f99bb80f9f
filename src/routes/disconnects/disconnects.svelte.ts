/**
 * The Disconnects page's state: pages of the agent's record of recent disconnects (newest first,
 * every node merged), filtered by the URL's parameters, and one client's patterns on demand.
 */
import type {
	DisconnectEntry,
	DisconnectPatterns,
	DisconnectPatternsQuery,
	DisconnectRow,
	DisconnectsQuery
} from '$protocol/models';
import type { Dashboard } from '$lib/state/dashboard.svelte';
import { PagedList, type PageFetch } from '$lib/state/paged.svelte';
import { RequestError } from '$lib/connectors/connector';
import { param } from '$lib/url-state';

/** A time parameter of the URL (milliseconds since the epoch), or undefined. */
function time(name: string): number | undefined {
	const value = Number(param(name));
	return param(name) !== '' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** What an export holds: one line per disconnect, a folded row unfolded. */
export function exportRows(rows: readonly DisconnectRow[]): DisconnectEntry[] {
	return rows.flatMap((row) => {
		if (row.group) return row.group;
		const { count: _count, medianDuration: _median, group: _group, ...entry } = row;
		return [entry];
	});
}

export class DisconnectsView {
	readonly query: DisconnectsQuery = $derived({
		...(param('q') && { text: param('q') }),
		...(param('reason') && { reason: param('reason') }),
		...(param('ns') && { namespace: param('ns') }),
		...(time('since') !== undefined && { since: time('since') }),
		...(time('until') !== undefined && { until: time('until') })
	});
	readonly fetch: PageFetch<DisconnectRow>;
	readonly list: PagedList<DisconnectRow>;
	/** The rows whose folded disconnects are shown, by key. */
	expanded = $state<Record<string, boolean>>({});
	patterns = $state<{ client: string; answer: DisconnectPatterns } | null>(null);
	patternsError = $state<string | null>(null);

	constructor(private readonly dashboard: Dashboard) {
		this.fetch = (cursor, limit) =>
			dashboard.api.query('disconnects:query', { ...this.query, cursor, limit });
		this.list = new PagedList(this.fetch, 100);
	}

	/** The same pages, one line per disconnect, for an export. */
	readonly exportFetch: PageFetch<object> = async (cursor, limit) => {
		const page = await this.fetch(cursor, limit);
		return { ...page, rows: exportRows(page.rows) };
	};

	toggle(key: string): void {
		this.expanded = { ...this.expanded, [key]: !this.expanded[key] };
	}

	/** One client's last hour: by label, or by address when it has none. */
	async showPatterns(row: DisconnectEntry): Promise<void> {
		const query: DisconnectPatternsQuery =
			row.label !== null ? { label: row.label } : { address: row.address };
		this.patternsError = null;
		try {
			const answer = await this.dashboard.api.query('disconnects:patterns', query);
			this.patterns = { client: row.label ?? row.address, answer };
		} catch (err) {
			this.patterns = null;
			this.patternsError = err instanceof RequestError ? err.message : 'The query failed.';
		}
	}
}
