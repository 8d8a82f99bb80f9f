/** `sockscope hash-password [pw]`: prints a bcrypt hash for `auth.users[].passwordHash`. */
import { once } from 'node:events';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { hashPassword } from '../agent/index.js';
import { parse } from './args.js';

export async function hashPasswordCommand(args: string[]): Promise<number> {
	const { positionals } = parse({ args, options: {}, allowPositionals: true });
	const password = positionals[0] ?? (await prompt('Password: '));
	if (!password) throw new Error('the password is empty');
	console.log(await hashPassword(password));
	return 0;
}

/**
 * Reads one line: typed on a terminal without echo, or the first line of piped input. The prompt
 * goes to stderr, so stdout carries the hash alone.
 */
async function prompt(question: string): Promise<string> {
	const tty = process.stdin.isTTY;
	let muted = false;
	// readline echoes typed keys to its output; a gate on that output hides the password.
	const output = new Writable({
		write(chunk, _encoding, done) {
			if (!muted) process.stderr.write(chunk);
			done();
		}
	});
	const rl = createInterface({ input: process.stdin, output, terminal: tty });
	// On a terminal readline takes Ctrl-C as a key; without this it would only pause.
	rl.on('SIGINT', () => {
		process.stderr.write('\n');
		process.exit(130);
	});
	if (tty) process.stderr.write(question);
	muted = true;
	try {
		// Piped input that ends without a line closes readline instead of answering.
		return await Promise.race([rl.question(''), once(rl, 'close').then(() => '')]);
	} finally {
		muted = false;
		if (tty) process.stderr.write('\n');
		rl.close();
	}
}
