/**
 * The audit trail: pages of past entries from the agent (newest first), with the entries that
 * arrive live put on top, each shown once.
 */
import type { AuditEntry } from '$protocol/commands';
import type { Dashboard } from '$lib/state/dashboard.svelte';
import { PagedList, type PageFetch } from '$lib/state/paged.svelte';
import { param } from '$lib/url-state';
import { matches, type AuditFilter } from './audit-filter';

export class AuditView {
	readonly list: PagedList<AuditEntry>;
	readonly filter: AuditFilter = $derived({
		user: param('user') || undefined,
		command: param('command') || undefined,
		outcome: param('outcome') || undefined,
		since: param('since') || undefined,
		text: param('q') || undefined
	});
	/** The trail's pages as the agent serves them: unfiltered, in the user's scope. */
	readonly fetch: PageFetch<AuditEntry>;
	/** The entries loaded so far that pass the filter. */
	readonly shown: AuditEntry[] = $derived.by(() => {
		const now = Date.now();
		return this.entries.filter((e) => matches(this.filter, e, now));
	});
	readonly entries: AuditEntry[] = $derived.by(() => {
		const seen = new Set<string>();
		const out: AuditEntry[] = [];
		for (const e of [...this.dashboard.audit.live, ...this.list.rows]) {
			if (seen.has(e.id)) continue;
			seen.add(e.id);
			out.push(e);
		}
		return out.sort((a, b) => b.t - a.t);
	});

	constructor(private readonly dashboard: Dashboard) {
		this.fetch = (cursor, limit) => dashboard.api.query('audit:query', { cursor, limit });
		this.list = new PagedList(this.fetch, 100);
	}

	/** For an export: the filter, as it stands now. */
	keep(): (entry: AuditEntry) => boolean {
		const filter = { ...this.filter };
		const now = Date.now();
		return (entry) => matches(filter, entry, now);
	}

	reload(): Promise<void> {
		this.dashboard.audit.clear();
		return this.list.reload();
	}
}
