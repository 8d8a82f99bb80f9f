/**
 * The labels an audit entry keeps of the sockets a command aims at (the host's `label` option),
 * read when the command is recorded: the socket may be gone when someone searches the trail for
 * the user it was. A room's worth is named by its first few sockets only, so a command on a room
 * of thousands labels a handful, never calls the host's `label` for each of them.
 */
import type { Socket } from 'socket.io';
import { AUDIT_LABELS } from '../../protocol/limits.js';
import { MAX_LABEL_LENGTH } from '../options.js';

/** A socket's label on this node, or null when it has none. */
export type LabelOf = (socket: Socket) => string | null;

/** The distinct labels of the first `AUDIT_LABELS` of `sockets`, in their order. */
export function labelsHere(sockets: readonly Socket[], labelOf: LabelOf): string[] {
	const labels = new Set<string>();
	for (const socket of sockets.slice(0, AUDIT_LABELS)) {
		const label = labelOf(socket);
		if (label) labels.add(label);
	}
	return [...labels];
}

/**
 * Every node's labels as one list: distinct, at most `AUDIT_LABELS`. A node of another version
 * may answer anything, so only strings are kept, cut as the `label` option cuts them.
 */
export function mergeLabels(answers: readonly unknown[]): string[] {
	const labels = new Set<string>();
	for (const answer of answers) {
		if (!Array.isArray(answer)) continue;
		for (const label of answer) {
			if (labels.size === AUDIT_LABELS) return [...labels];
			if (typeof label === 'string' && label) labels.add(label.slice(0, MAX_LABEL_LENGTH));
		}
	}
	return [...labels];
}
