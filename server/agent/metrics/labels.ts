/**
 * The `namespace` label of every metric. Namespaces are labelled one by one, the most sockets
 * first; the rest share `_other`. A server with a namespace per tenant (a regex or function
 * parent) would otherwise add series without bound, as clients pick the names. Since several
 * namespaces may share a label, a metric adds their values, never sets them.
 */
import { OTHER_EVENTS } from '../../protocol/limits.js';
import { truncateName } from '../../protocol/top-n.js';
import { MAX_EVENT_NAME } from '../observe/event-names.js';
import type { NamespaceStats, NodeModel } from '../observe/model.js';

export const MAX_LABELLED_NAMESPACES = 50;

export function eachLabelledNamespace(
	model: NodeModel,
	fn: (stats: NamespaceStats, namespace: string) => void
): void {
	const all = [...model.namespaces.values()];
	if (all.length > MAX_LABELLED_NAMESPACES)
		all.sort((a, b) => b.nsp.sockets.size - a.nsp.sockets.size);
	all.forEach((stats, i) =>
		fn(stats, i < MAX_LABELLED_NAMESPACES ? truncateName(stats.name, MAX_EVENT_NAME) : OTHER_EVENTS)
	);
}
