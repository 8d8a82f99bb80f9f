/** The cluster bench's figures in a Markdown table (cluster.ts and cluster-admin-ui.ts). */

export type Row = Record<string, number | string>;

/** The q-quantile of `xs` (nearest rank); NaN for none. */
export const quantile = (xs: number[], q: number) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : NaN;
};

/** A number with `digits` decimals, 'timeout' for Infinity, '—' for NaN or nothing. */
export const fmt = (x: number | string | undefined, digits = 0) =>
	typeof x !== 'number'
		? (x ?? '—')
		: Number.isNaN(x)
			? '—'
			: x === Infinity
				? 'timeout'
				: x.toLocaleString('en-US', {
						maximumFractionDigits: digits,
						minimumFractionDigits: digits
					});

/** A Markdown table: one column per [header, cell]. */
export function markdownTable(columns: [string, (r: Row) => string][], rows: Row[]): string {
	const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
	return [
		line(columns.map(([name]) => name)),
		line(columns.map(() => '---:')),
		...rows.map((r) => line(columns.map(([, cell]) => cell(r))))
	].join('\n');
}
