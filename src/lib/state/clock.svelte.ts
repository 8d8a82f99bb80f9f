/**
 * The current time as reactive state, ticking once a second only while something reads it: node
 * liveness and "last seen" labels need time to pass even when no sample arrives.
 */
import { createSubscriber } from 'svelte/reactivity';

export class Clock {
	#now = Date.now();
	#subscribe = createSubscriber((update) => {
		const timer = setInterval(() => {
			this.#now = Date.now();
			update();
		}, 1000);
		return () => clearInterval(timer);
	});

	get now(): number {
		if (!$effect.tracking()) return Date.now();
		this.#subscribe();
		return this.#now;
	}
}
