/**
 * The two effects every list page needs, declared once: reload when the list's query (or the
 * connection: a new generation) changes, and refresh when a sample arrives. Both run their work
 * untracked, so what `reload` and `refresh` read does not make them run again. Call it while a
 * component initialises.
 */
import { untrack } from 'svelte';
import type { DashboardModel } from './model.svelte';

export interface ListEffects {
	/** The list cannot be served (a gap): nothing to load. */
	unavailable(): unknown;
	/** The query the list shows; read deeply, so any field's change reloads. */
	query(): object;
	reload(): void;
	/** Called on every sample; absent, the list is not refreshed by samples. */
	refresh?(): void;
	/** Stops what the list still has waiting (a retry of its first page) when the page closes. */
	stop?(): void;
}

export function followList(model: DashboardModel, list: ListEffects): void {
	$effect(() => {
		if (list.unavailable()) return;
		void JSON.stringify(list.query());
		void model.generation;
		untrack(() => list.reload());
		return () => list.stop?.();
	});
	const refresh = list.refresh;
	if (refresh) {
		$effect(() => {
			void model.nodes;
			untrack(refresh);
		});
	}
}
