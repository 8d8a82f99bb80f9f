#!/usr/bin/env node
/**
 * The published `sockscope` command, compiled JavaScript with no loader. It offers what an
 * installed package needs; the demo, its bots and the cluster demo are repository code (run by
 * `npm start` there), so asking for them says where they live instead of failing on a missing file.
 * Inside a checkout of the repository it hands over to the repository's CLI, which has them all.
 */
import { existsSync } from 'node:fs';
import { UsageError } from './args.js';
import { hashPasswordCommand } from './hash-password.js';

const USAGE = `Usage: sockscope <command>

  hash-password [pw]    print a bcrypt hash for auth.users (prompts when no password is given)
  help                  this text
`;

const REPOSITORY_ONLY = new Set(['demo', 'bots', 'cluster']);
// Not in the published files: present only in a checkout, where tsx (a devDependency) runs it.
const CHECKOUT_CLI = new URL('../../bin/sockscope.js', import.meta.url);

async function main(argv: string[]): Promise<number | undefined> {
	if (existsSync(CHECKOUT_CLI)) {
		await import(CHECKOUT_CLI.href);
		return undefined;
	}
	const [name = 'help', ...args] = argv;
	if (name === 'help' || name === '--help' || name === '-h') {
		console.log(USAGE);
		return 0;
	}
	if (name === 'hash-password') return hashPasswordCommand(args);
	if (REPOSITORY_ONLY.has(name)) {
		console.error(
			`sockscope: "${name}" is part of the demo, which is not in the installed package.\n` +
				`Clone the Sockscope source repository and run \`npm install && npm start\` there ` +
				`(\`npx sockscope ${name}\` works inside that checkout).`
		);
		return 2;
	}
	throw new UsageError(`unknown command "${name}"`);
}

main(process.argv.slice(2)).then(
	(code) => {
		if (code !== undefined) process.exitCode = code;
	},
	(err: unknown) => {
		console.error(`sockscope: ${err instanceof Error ? err.message : String(err)}`);
		if (err instanceof UsageError) console.error(`\n${USAGE}`);
		process.exitCode = err instanceof UsageError ? 2 : 1;
	}
);
