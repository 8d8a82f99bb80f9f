/**
 * What a set of paired on/off ratios says, with its spread: the median with a distribution-free
 * 95% interval (order statistics: the median lies between the k-th smallest and k-th largest
 * ratio with a probability that depends only on the number of pairs, whatever the noise's
 * shape, so a few disturbed windows on a shared machine cannot drag it), and the geometric mean
 * with ±2 standard errors of the mean log ratio.
 */
export interface RatioSummary {
	n: number;
	median: number;
	/** The median's interval, and its actual coverage (at least 0.95 from 6 pairs on). */
	low: number;
	high: number;
	coverage: number;
	min: number;
	max: number;
	geometricMean: number;
	geometricLow: number;
	geometricHigh: number;
}

/** P(X <= k) for X ~ Binomial(n, 1/2). */
function binomialHalfCdf(n: number, k: number): number {
	let term = 0.5 ** n;
	let sum = term;
	for (let i = 1; i <= k; i++) {
		term = (term * (n - i + 1)) / i;
		sum += term;
	}
	return sum;
}

export function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function summariseRatios(ratios: number[]): RatioSummary {
	const s = [...ratios].sort((a, b) => a - b);
	const n = s.length;
	// The narrowest [s[k-1], s[n-k]] that still covers the median with probability >= 95%.
	let k = 1;
	while (k + 1 <= n / 2 && 1 - 2 * binomialHalfCdf(n, k) >= 0.95) k++;
	const logs = s.map(Math.log);
	const mean = logs.reduce((a, b) => a + b, 0) / n;
	const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
	const se = sd / Math.sqrt(n);
	return {
		n,
		median: median(s),
		low: s[k - 1],
		high: s[n - k],
		coverage: 1 - 2 * binomialHalfCdf(n, k - 1),
		min: s[0],
		max: s[n - 1],
		geometricMean: Math.exp(mean),
		geometricLow: Math.exp(mean - 2 * se),
		geometricHigh: Math.exp(mean + 2 * se)
	};
}

/** One line, parsed back by run.ts: `median ratio 1.004 (95% 0.991–1.017) …`. */
export function formatRatios(r: RatioSummary): string {
	const f = (x: number) => x.toFixed(3);
	return `median ratio ${f(r.median)} (95% ${f(r.low)}–${f(r.high)}, coverage ${(r.coverage * 100).toFixed(1)}%), range ${f(r.min)}–${f(r.max)}; geometric mean ${f(r.geometricMean)} (95% ${f(r.geometricLow)}–${f(r.geometricHigh)})`;
}
