/** Axis labels of the time charts. */

/**
 * A value axis label as plotted: a series drawn below zero (disconnects) reads `−3` there, so the
 * axis never shows `3` under its 0. The minus sign is U+2212, as wide as the digits.
 */
export function signedTick(value: number, format: (value: number) => string): string {
	if (value === 0 || Object.is(value, -0)) return format(0);
	return value < 0 ? `−${format(-value)}` : format(value);
}
