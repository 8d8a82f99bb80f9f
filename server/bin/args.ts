/** Command-line parsing shared by the published `sockscope` command and the repository's CLI. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the command was called: reported with the usage text and exit code 2. */
export class UsageError extends Error {}

/** `parseArgs` (strict unless told otherwise), with its complaints as `UsageError`s. */
export function parse<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
	try {
		return parseArgs(config);
	} catch (err) {
		throw new UsageError((err as Error).message);
	}
}
