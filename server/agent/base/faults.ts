/**
 * The agent runs inside someone else's server: nothing it does may throw into the host's code.
 * Every hook goes through `guard`, which counts and logs the fault and carries on.
 */
import createDebug from 'debug';

const debug = createDebug('sockscope:fault');

export class Faults {
	count = 0;

	/** Records an exception caught inside the agent. */
	record(where: string, err: unknown): void {
		this.count++;
		debug('%s: %O', where, err);
	}

	/** Wraps a hook so that an exception inside it is recorded instead of thrown. */
	wrap<A extends unknown[], R>(
		where: string,
		fn: (...args: A) => R
	): (...args: A) => R | undefined {
		const faults = this;
		return function guarded(this: unknown, ...args: A) {
			try {
				return fn.apply(this, args);
			} catch (err) {
				faults.record(where, err);
				return undefined;
			}
		};
	}
}
