/** Numbers, sizes and times as an operator reads them at a glance. */

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en');

export function formatCount(n: number | null | undefined): string {
	if (n === null || n === undefined || !Number.isFinite(n)) return '–';
	return Math.abs(n) >= 10_000 ? compact.format(n) : whole.format(Math.round(n));
}

/** A rate: one decimal under 10, whole numbers above, compact from ten thousand. */
export function formatRate(n: number | null | undefined): string {
	if (n === null || n === undefined || !Number.isFinite(n)) return '–';
	if (n !== 0 && Math.abs(n) < 10) return n.toFixed(1);
	return formatCount(n);
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

export function formatBytes(n: number | null | undefined): string {
	if (n === null || n === undefined || !Number.isFinite(n)) return '–';
	let value = n;
	let unit = 0;
	while (Math.abs(value) >= 1000 && unit < UNITS.length - 1) {
		value /= 1000;
		unit++;
	}
	return `${unit === 0 ? Math.round(value) : value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

export function formatMs(ms: number | null | undefined): string {
	if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
	if (ms < 1) return `${ms.toFixed(2)} ms`;
	if (ms < 100) return `${ms.toFixed(1)} ms`;
	if (ms < 10_000) return `${Math.round(ms)} ms`;
	return `${(ms / 1000).toFixed(1)} s`;
}

/** A duration in seconds as `3d 4h`, `2h 5m`, `4m 10s` or `12s`. */
export function formatDuration(seconds: number): string {
	const s = Math.max(0, Math.floor(seconds));
	const d = Math.floor(s / 86_400);
	const h = Math.floor((s % 86_400) / 3600);
	const m = Math.floor((s % 3600) / 60);
	if (d) return `${d}d ${h}h`;
	if (h) return `${h}h ${m}m`;
	if (m) return `${m}m ${s % 60}s`;
	return `${s}s`;
}

export function formatClock(t: number, seconds = true): string {
	const d = new Date(t);
	const pad = (n: number) => String(n).padStart(2, '0');
	const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
	return seconds ? `${hm}:${pad(d.getSeconds())}` : hm;
}

export function formatDateTime(t: number): string {
	const d = new Date(t);
	return `${d.toISOString().slice(0, 10)} ${formatClock(t)}`;
}

export function formatPercent(n: number | null | undefined, digits = 0): string {
	if (n === null || n === undefined || !Number.isFinite(n)) return '–';
	return `${n.toFixed(digits)} %`;
}

/** `1 namespace`, `3 namespaces`: a count with its noun. */
export function plural(n: number, one: string, many = `${one}s`): string {
	return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** The adapter's class name as a reader wants it: socket.io's default `Adapter` is in memory. */
export function formatAdapter(name: string | undefined): string {
	if (!name) return 'adapter unknown';
	return name === 'Adapter' ? 'in-memory adapter' : name;
}
