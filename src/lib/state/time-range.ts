/**
 * Absolute time spans as the dashboard reads and writes them: in the URL (`from`, `to`, ms since
 * the epoch), in the range picker's local date-time fields, and checked against the history the
 * agent keeps before anything is asked.
 */
import type { HistorySpan } from '$protocol/models';
import { HISTORY_KEPT } from '$protocol/limits';
import { formatClock, formatDateTime } from '$lib/format';

/** The span of the URL's `from` and `to`, or null when either is missing or they make none. */
export function spanOfParams(from: string, to: string): HistorySpan | null {
	const f = Number(from);
	const t = Number(to);
	if (!from || !to || !Number.isSafeInteger(f) || !Number.isSafeInteger(t) || f < 0 || f >= t)
		return null;
	return { from: f, to: t };
}

/** What a node keeps, in words: `15 min at 1 s, 6 h at 10 s` at the default sample interval. */
export function keptText(step: number): string {
	const every = (ms: number) => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);
	const fine = HISTORY_KEPT.FINE_MS / 60_000;
	const coarse = HISTORY_KEPT.COARSE_MS / 3_600_000;
	return `${fine} min at ${every(step)}, ${coarse} h at ${every(step * HISTORY_KEPT.COARSE_FACTOR)}`;
}

/** Why a span cannot be shown (ends reversed, longer or older than the history kept), or null. */
export function spanProblem(span: HistorySpan | null, now: number): string | null {
	if (!span) return 'Give a start and an end.';
	if (span.from >= span.to) return 'The end must come after the start.';
	if (span.to - span.from > HISTORY_KEPT.COARSE_MS)
		return `At most ${HISTORY_KEPT.COARSE_MS / 3_600_000} h: that is the history kept.`;
	if (span.to < now - HISTORY_KEPT.COARSE_MS)
		return `Older than the history kept (the last ${HISTORY_KEPT.COARSE_MS / 3_600_000} h).`;
	if (span.from > now) return 'The start is in the future.';
	return null;
}

/** A time as a `datetime-local` field's value, to the second, in the browser's time zone. */
export function toLocalInput(t: number): string {
	const d = new Date(t);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${formatClock(t)}`;
}

/** A `datetime-local` field's value as a time, or null when it holds none. */
export function fromLocalInput(value: string): number | null {
	if (!value) return null;
	const t = new Date(value).getTime();
	return Number.isFinite(t) ? t : null;
}

/** The window in words, for the readout: the day too when it is not today's. */
export function windowText(min: number, max: number, now = Date.now()): string {
	const sameDay = (t: number) => new Date(t).toDateString() === new Date(now).toDateString();
	const at = (t: number) => (sameDay(t) ? formatClock(t) : formatDateTime(t));
	return `${at(min)} – ${at(max)}`;
}
