/**
 * The host's `label` option, made safe to call: once per socket, on the first read by a dashboard
 * (so the host's middleware has set whatever the label reads), kept with the socket's record,
 * cut to a bounded length, and a throw counted as a fault rather than reaching the dashboard.
 */
import type { Socket } from 'socket.io';
import type { Faults } from '../base/faults.js';
import type { SocketState } from './model.js';
import { MAX_LABEL_LENGTH } from '../options.js';

export type Labeller = (state: SocketState) => string | null;

export function createLabeller(
	label: ((socket: Socket) => string) | undefined,
	faults: Faults
): Labeller {
	if (!label) return () => null;
	return (state) => {
		if (state.label !== undefined) return state.label;
		let text: string | null = null;
		try {
			const value: unknown = label(state.socket);
			if (value !== undefined && value !== null && value !== '') {
				text = String(value).slice(0, MAX_LABEL_LENGTH);
			}
		} catch (err) {
			faults.record('label', err);
		}
		state.label = text;
		return text;
	};
}
