/** Names in messages: a list of them, and the closest known name to one that is not known. */

/** `"a", "b", "c"`. */
export const quoteList = (values: readonly unknown[]): string =>
	values.map((v) => JSON.stringify(v)).join(', ');

/** Edits (insert, delete, replace, swap of neighbours) from `a` to `b`, case aside. */
export function editDistance(a: string, b: string): number {
	a = a.toLowerCase();
	b = b.toLowerCase();
	const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
	for (let j = 1; j <= b.length; j++) d[0][j] = j;
	for (let i = 1; i <= a.length; i++) {
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
				d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
		}
	}
	return d[a.length][b.length];
}

/**
 * An unknown name (`what`: option, field), answered with the closest known one (a slip of a few
 * letters), or else with the names there are.
 */
export function unknownKeyMessage(what: string, key: string, known: readonly string[]): string {
	// Names from a payload can be long; a slip is judged on the first few hundred characters.
	const probe = key.slice(0, 256);
	const closest = known
		.map((name) => ({ name, edits: editDistance(probe, name) }))
		.sort((x, y) => x.edits - y.edits)[0];
	const unknown = `unknown ${what} ${JSON.stringify(probe)}`;
	if (closest && closest.edits <= Math.max(2, Math.floor(probe.length / 3)))
		return `${unknown} — did you mean ${JSON.stringify(closest.name)}?`;
	return known.length ? `${unknown}; the ${what}s here are ${quoteList(known)}` : unknown;
}
