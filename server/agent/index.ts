// TEMPORARY STUB while the agent is written; replaced by the real entry.
import type { Server } from 'socket.io';
import { resolveOptions, type UserInput } from './options.js';
export type { UserInput as InstrumentOptions } from './options.js';
export interface Instrumentation {
	readonly nodeId: string;
	close(): Promise<void>;
}
export function instrument(io: Server, options: UserInput): Instrumentation {
	const resolved = resolveOptions(options);
	void io;
	return { nodeId: resolved.nodeId, close: async () => {} };
}
