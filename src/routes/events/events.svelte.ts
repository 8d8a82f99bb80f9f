/**
 * The live event log's subscription: its filter comes from the URL; each change, and each
 * reconnection, subscribes afresh. The entries themselves live in the dashboard's `LogBuffer`.
 */
import type { LogFilter } from '$protocol/models';
import { RequestError } from '$lib/connectors/connector';
import type { Dashboard } from '$lib/state/dashboard.svelte';
import { FirstLoadRetry } from '$lib/state/first-load-retry';
import { param } from '$lib/url-state';

const DIRECTIONS = ['in', 'out'] as const;

export class EventsView {
	readonly filter: LogFilter = $derived({
		namespace: param('ns') || undefined,
		direction: DIRECTIONS.find((d) => d === param('dir')),
		room: param('room') || undefined,
		socket: param('socket') || undefined,
		event: param('event') || undefined
	});
	/** What the agent granted: its rate cap, and whether it sends payloads. */
	granted = $state.raw<{ maxPerSecond: number; payloads: boolean } | null>(null);
	error = $state<string | null>(null);
	/** Whether the agent has answered the latest subscription (granted or refused). */
	answered = $state(false);

	constructor(private readonly dashboard: Dashboard) {}

	/**
	 * Subscribes with the current filter; returns the unsubscribe for an effect's cleanup. A
	 * subscription refused for a reason that passes (the request budget spent, a busy host's late
	 * answer) is asked for again, as a list's first page is: the log would stay empty otherwise.
	 */
	subscribe(filter: LogFilter): () => void {
		const { api, log } = this.dashboard;
		let active = true;
		const retry = new FirstLoadRetry();
		log.reset();
		this.error = null;
		this.answered = false;
		const ask = () =>
			api.query('log:subscribe', filter).then(
				(granted) => {
					if (!active) return;
					this.granted = granted;
					this.error = null;
					this.answered = true;
				},
				(err) => {
					if (!active) return;
					this.error = err instanceof RequestError ? err.message : 'Could not subscribe.';
					this.answered = true;
					retry.schedule(err, () => active && void ask());
				}
			);
		void ask();
		return () => {
			active = false;
			retry.stop();
			api.query('log:unsubscribe', {}).catch(() => {});
		};
	}
}
