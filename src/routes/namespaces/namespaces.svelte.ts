/**
 * The Namespaces page's state: search and sort from the URL, and the paged list of namespaces
 * (`namespaces:query`), read a page at a time as the Rooms page reads rooms: an app with one
 * namespace per tenant has thousands, and the page costs what it shows.
 */
import type { NamespaceSummary, NamespacesPage } from '$protocol/models';
import { NAMESPACE_SORT_KEYS, type NamespaceSortKey } from '$protocol/vocabulary';
import type { Dashboard } from '$lib/state/dashboard.svelte';
import { PagedList } from '$lib/state/paged.svelte';
import { param, setParams } from '$lib/url-state';

/** Rows read per page; more load as the user asks. */
const PAGE = 100;

function sortParam(): NamespaceSortKey {
	const value = param('sort');
	return (NAMESPACE_SORT_KEYS as readonly string[]).includes(value)
		? (value as NamespaceSortKey)
		: 'sockets';
}

export class NamespacesView {
	readonly query = $derived({
		text: param('q') || undefined,
		sort: sortParam(),
		order: param('order') === 'asc' ? ('asc' as const) : param('order') === 'desc' ? ('desc' as const) : undefined
	});
	readonly list: PagedList<NamespaceSummary>;
	/** Every namespace the search matched, summed, from the latest page. */
	all = $state.raw<NamespaceSummary | null>(null);

	constructor(dashboard: Dashboard) {
		this.list = new PagedList(async (cursor, limit) => {
			const page: NamespacesPage = await dashboard.api.query('namespaces:query', {
				...this.query,
				cursor,
				limit
			});
			this.all = page.all;
			return page;
		}, PAGE);
	}

	/** The order a column sorts in: names from A, figures largest first; again, the other way. */
	order(key: NamespaceSortKey): 'asc' | 'desc' {
		const natural = key === 'name' ? 'asc' : 'desc';
		return this.query.order ?? natural;
	}

	sortBy(key: NamespaceSortKey): Promise<void> {
		const natural = key === 'name' ? 'asc' : 'desc';
		const order =
			this.query.sort === key ? (this.order(key) === 'asc' ? 'desc' : 'asc') : natural;
		return setParams({ sort: key, order });
	}
}
