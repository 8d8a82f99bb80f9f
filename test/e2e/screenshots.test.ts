/** Screenshots taken by a test run land in an ignored folder: `npm test` leaves the tree clean. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { SCREENSHOTS } from './helpers.js';

const run = promisify(execFile);
const inGit = await run('git', ['rev-parse', '--is-inside-work-tree']).then(
	() => true,
	() => false
);

it.runIf(inGit && !process.env.SOCKSCOPE_SCREENSHOTS)(
	'screenshots go to a folder git ignores',
	async () => {
		// `git check-ignore` exits 0 for an ignored path, 1 for a tracked or visible one.
		const ignored = await run('git', [
			'check-ignore',
			'-q',
			join(SCREENSHOTS, 'overview.png')
		]).then(
			() => true,
			() => false
		);
		expect(ignored).toBe(true);
	}
);
