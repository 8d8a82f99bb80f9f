/**
 * Light or dark: the system's choice unless the user picked one, remembered in localStorage and
 * applied as `data-theme` on the root element (app.html applies it before the first paint).
 */
import { MediaQuery } from 'svelte/reactivity';

export type ThemeMode = 'system' | 'light' | 'dark';

const KEY = 'sockscope.theme';
const MODES: ThemeMode[] = ['system', 'light', 'dark'];

export class Theme {
	#prefersDark = new MediaQuery('(prefers-color-scheme: dark)');
	mode = $state<ThemeMode>(readMode());
	readonly resolved: 'light' | 'dark' = $derived(
		this.mode === 'system' ? (this.#prefersDark.current ? 'dark' : 'light') : this.mode
	);

	/** Cycles system → light → dark. */
	next(): void {
		this.set(MODES[(MODES.indexOf(this.mode) + 1) % MODES.length]);
	}

	set(mode: ThemeMode): void {
		this.mode = mode;
		try {
			if (mode === 'system') localStorage.removeItem(KEY);
			else localStorage.setItem(KEY, mode);
		} catch {
			// Not remembered; the choice holds for this visit.
		}
	}

	/** Mirrors the resolved theme onto the document; call from a component effect. */
	apply(): void {
		document.documentElement.dataset.theme = this.resolved;
	}
}

function readMode(): ThemeMode {
	try {
		const stored = localStorage.getItem(KEY);
		return stored === 'light' || stored === 'dark' ? stored : 'system';
	} catch {
		return 'system';
	}
}
