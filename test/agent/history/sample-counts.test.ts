import { describe, expect, test } from 'vitest';
import { TOP_NAMESPACES } from '../../../server/protocol/limits.js';
import { emptyNamespaceSample } from '../../../server/protocol/samples.js';
import { COUNT_FIGURES, TRANSPORTS } from '../../../server/protocol/vocabulary.js';
import type { Sample } from '../../../server/protocol/models.js';
import { addCounts, hasCounts, viewFor } from '../../../server/agent/history/sampler.js';

// hasCounts and addCounts name each count rather than loop over COUNT_FIGURES (they run for every
// namespace each second): a count added to the protocol must be added to them too.
describe('the counts of a namespace sample, written out', () => {
	test.each(COUNT_FIGURES)('%s is seen and summed', (key) => {
		const n = emptyNamespaceSample('/a');
		expect(hasCounts(n)).toBe(false);
		n[key] = 3;
		expect(hasCounts(n)).toBe(true);
		const into = emptyNamespaceSample('/sum');
		addCounts(into, n);
		addCounts(into, n);
		for (const other of COUNT_FIGURES) expect(into[other]).toBe(other === key ? 6 : 0);
	});

	test('the namespaces a view does not list are folded with every count and transport', () => {
		const namespaces = Array.from({ length: TOP_NAMESPACES + 3 }, (_, i) => {
			const n = emptyNamespaceSample(`/ws-${i}`);
			n.sockets = 100 - i;
			COUNT_FIGURES.forEach((key, j) => (n[key] = j + 1));
			TRANSPORTS.forEach((t, j) => (n.transports[t] = 10 * (j + 1)));
			return n;
		});
		const sample = { nodeId: 'n', t: 0, interval: 1000, namespaces } as unknown as Sample;
		const folded = viewFor(sample, { name: 'admin', role: 'admin' }).otherNamespaces!;
		expect(folded.namespaces).toBe(3);
		COUNT_FIGURES.forEach((key, j) => expect(folded[key]).toBe(3 * (j + 1)));
		TRANSPORTS.forEach((t, j) => expect(folded.transports[t]).toBe(30 * (j + 1)));
	});
});
