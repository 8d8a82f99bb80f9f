import type { Point } from '../state/series';

/** One line of a time chart. `color` names a CSS custom property, e.g. `--series-2`. */
export interface TimeDataset {
	label: string;
	points: Point[];
	color: string;
	/** Dashed line, for a secondary figure. */
	dashed?: boolean;
	/** In a stacked chart, fill down to zero instead of to the dataset before (a new stack). */
	fromZero?: boolean;
}

/** One bar series of a category chart, aligned with its labels. */
export interface BarDataset {
	label: string;
	data: number[];
	color: string;
}
