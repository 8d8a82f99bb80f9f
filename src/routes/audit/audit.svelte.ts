/**
 * The audit trail: pages of past entries from the agent (newest first), with the entries that
 * arrive live put on top, each shown once.
 */
import type { AuditEntry } from '$protocol/commands';
import type { Dashboard } from '$lib/state/dashboard.svelte';
import { PagedList } from '$lib/state/paged.svelte';

export class AuditView {
	readonly list: PagedList<AuditEntry>;
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
		this.list = new PagedList(
			(cursor, limit) => dashboard.api.query('audit:query', { cursor, limit }),
			100
		);
	}

	reload(): Promise<void> {
		this.dashboard.audit.clear();
		return this.list.reload();
	}
}
