/**
 * Exports of what a list page shows, as CSV or JSON: the rows are read through the page's own
 * paged query (so its filter and the user's namespace scope apply, as on screen), one page after
 * another up to `EXPORT_ROW_CAP` rows, and handed to the browser as a file.
 */
import { MAX_PAGE_SIZE } from '$protocol/limits';
import type { PageFetch } from './state/paged.svelte';

/** Rows in one export at most: the dashboard holds them in memory, and so does the browser. */
export const EXPORT_ROW_CAP = 10_000;

export type ExportFormat = 'csv' | 'json';

export interface Collected<R> {
	rows: R[];
	/** More rows matched than the cap allowed. */
	truncated: boolean;
}

/** Reads pages until the list ends or `cap` matching rows are in; `keep` filters on this side. */
export async function collectRows<R>(
	fetch: PageFetch<R>,
	keep: (row: R) => boolean = () => true,
	cap = EXPORT_ROW_CAP
): Promise<Collected<R>> {
	const rows: R[] = [];
	let cursor: string | undefined;
	do {
		const page = await fetch(cursor, MAX_PAGE_SIZE);
		for (const row of page.rows) {
			if (!keep(row)) continue;
			if (rows.length === cap) return { rows, truncated: true };
			rows.push(row);
		}
		cursor = page.nextCursor ?? undefined;
	} while (cursor !== undefined);
	return { rows, truncated: false };
}

/**
 * The fields of the exported rows that hold a time, in milliseconds since the epoch on the wire
 * (`SocketRow.connectedAt`, `AuditEntry.t`, `DisconnectEntry.t` and `connectedAt`). Durations
 * (`duration`, `rtt`) stay numbers of milliseconds.
 */
const TIME_FIELDS = new Set(['t', 'connectedAt']);

/**
 * A row as an export writes it: times as ISO 8601 text in UTC (a spreadsheet and a person read
 * them, neither reads epoch milliseconds), in nested rows too (a disconnect's folded `group`),
 * and a socket's label beside its id, where a reader looks for who it was.
 */
export function exportRow(row: object): object {
	const out: Record<string, unknown> = {};
	const entries = Object.entries(row);
	for (const [key, value] of entries) {
		if (key === 'label' && 'id' in row) continue;
		out[key] = shaped(key, value);
		if (key === 'id' && 'label' in row) out.label = (row as { label: unknown }).label;
	}
	return out;
}

function shaped(key: string, value: unknown): unknown {
	if (TIME_FIELDS.has(key) && typeof value === 'number' && Number.isFinite(value)) {
		return new Date(value).toISOString();
	}
	if (Array.isArray(value)) {
		return value.map((item) => (isPlainObject(item) ? exportRow(item) : item));
	}
	return value;
}

function isPlainObject(value: unknown): value is object {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A cell as text: lists joined with "; ", objects as JSON, nothing as empty. */
function cell(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (Array.isArray(value)) return value.map(cell).join('; ');
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

/**
 * First characters that make a spreadsheet read a cell as a formula (or, tab and carriage return,
 * that some spreadsheets skip before looking for one). Labels, rooms and user agents are chosen by
 * the host's clients, so a cell beginning so could run a formula on the operator's machine.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. A cell that a
 * spreadsheet would read as a formula is neutralised as OWASP's CSV injection guidance says: a
 * single quote before it (so it is read as text) and the cell quoted.
 */
function quote(text: string): string {
	if (FORMULA_START.test(text)) return `"'${text.replaceAll('"', '""')}"`;
	return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One header row (the union of the rows' keys, in order of appearance), then one line per row. */
export function toCsv(rows: readonly object[]): string {
	const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
	const lines = [
		keys,
		...rows.map((row) => keys.map((k) => cell((row as Record<string, unknown>)[k])))
	];
	return lines.map((line) => line.map(quote).join(',')).join('\r\n') + '\r\n';
}

/** The rows as the file holds them (`exportRow`), in CSV or JSON alike. */
export function serialise(rows: readonly object[], format: ExportFormat): string {
	const shapedRows = rows.map(exportRow);
	return format === 'csv' ? toCsv(shapedRows) : JSON.stringify(shapedRows, null, 2);
}

/** Hands `text` to the browser as a download named `<name>-<time>.<format>`. */
export function download(name: string, format: ExportFormat, text: string): void {
	const type = format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json';
	const url = URL.createObjectURL(new Blob([text], { type }));
	const link = document.createElement('a');
	link.href = url;
	link.download = `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.${format}`;
	link.click();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
