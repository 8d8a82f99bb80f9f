/**
 * One socket's details, asked for when it is selected and re-asked every two seconds while the
 * panel is open; a socket that has gone stays on screen, marked as gone.
 */
import type { SocketDetails, SocketRef } from '$protocol/models';
import { RequestError, type Connector } from '$lib/connectors/connector';

const REFRESH_MS = 2000;

export class SocketDetailState {
	details = $state.raw<SocketDetails | null>(null);
	gone = $state(false);
	error = $state<string | null>(null);

	constructor(private readonly api: Connector) {}

	/** Loads `ref` now and keeps it fresh; returns the cleanup for an effect. */
	watch(ref: SocketRef): () => void {
		this.details = null;
		this.gone = false;
		this.error = null;
		let stopped = false;
		const load = async () => {
			try {
				const details = await this.api.query('socket:details', ref);
				if (stopped) return;
				this.details = details;
				this.gone = false;
			} catch (err) {
				if (stopped) return;
				if (err instanceof RequestError && err.code === 'E_NOT_FOUND') this.gone = true;
				else this.error = err instanceof RequestError ? err.message : 'The query failed.';
			}
		};
		void load();
		const timer = setInterval(load, REFRESH_MS);
		return () => {
			stopped = true;
			clearInterval(timer);
		};
	}
}
