/**
 * What the agent withholds from a user scoped to some namespaces (a tenant; docs/security.md,
 * what a tenant sees), and how a page says so: an empty table there is a filter, not a quiet
 * server, and "none" would tell a tenant that nothing failed when dozens of handshakes did.
 */
import type { Principal } from '$protocol/models';
import type { Gap } from '../connectors/connector';

/** The figures a tenant's samples do not carry. */
export type ScopedFigure = 'connection-errors' | 'faults';

const GAPS: Record<ScopedFigure, Gap> = {
	'connection-errors': {
		reason: 'Failed connections are hidden by your scope.',
		hint: 'Refused and failed connections belong to no namespace, so only users who see every namespace are shown them.',
		short: 'hidden by your scope'
	},
	faults: {
		reason: 'The fault count is hidden by your scope.',
		hint: "The agent's own fault count is shown only to users who see every namespace.",
		short: 'hidden'
	}
};

/** Why `principal` is not shown `figure`, or null when it is (a user who sees every namespace). */
export function hiddenByScope(principal: Principal | null, figure: ScopedFigure): Gap | null {
	return principal?.namespaces === undefined ? null : GAPS[figure];
}

/** Whether `principal` sees some namespaces only: what it is shown of the rest is nothing. */
export function isScoped(principal: Principal | null): boolean {
	return principal?.namespaces !== undefined;
}
