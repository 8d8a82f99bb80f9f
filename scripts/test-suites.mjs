// `npm run test:unit`: the isolated suite (vitest.isolated.config.ts: tests that need the machine to
// themselves), then the main suite. Either failing fails the run. A CI log is read from its tail,
// where the main suite's summary ends up, so the isolated suite's failures are printed again last:
// otherwise a failure there leaves a log whose visible part says only that everything passed.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const MAX_LINES = 60;

/** Runs vitest with `args`, passing its output through; resolves to its exit code and output. */
function vitest(args) {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args], {
			cwd: root,
			stdio: ['inherit', 'pipe', 'pipe']
		});
		const chunks = [];
		child.stdout.on('data', (chunk) => {
			process.stdout.write(chunk);
			chunks.push(chunk);
		});
		child.stderr.on('data', (chunk) => {
			process.stderr.write(chunk);
			chunks.push(chunk);
		});
		child.on('close', (code) =>
			resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString() })
		);
	});
}

/**
 * Vitest's own account of what failed, from its first "Failed …"/"Unhandled …" banner on, after
 * what the failed files' tests printed (their measured figures); its summary when there is none.
 */
function failures(output) {
	const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
	const start = lines.findIndex((line) => /⎯ (Failed (Tests|Suites) \d+|Unhandled \w+)/.test(line));
	if (start < 0) return lines.filter((line) => /^\s*(Test Files|Tests)\s/.test(line)).join('\n');
	const account = lines.slice(start, start + MAX_LINES);
	if (lines.length > start + MAX_LINES) account.push('… (the rest is above)');
	const failed = new Set(account.map((line) => /^\s*FAIL\s+(\S+)/.exec(line)?.[1]).filter(Boolean));
	const printed = [];
	lines.forEach((line, i) => {
		const header = /^(stdout|stderr) \| (\S+)/.exec(line);
		if (!header || !failed.has(header[2])) return;
		const end = lines.indexOf('', i);
		printed.push(...lines.slice(i, Math.min(end < 0 ? lines.length : end, i + 4)));
	});
	return [...printed, '', ...account].join('\n');
}

const isolated = await vitest(['--config', 'vitest.isolated.config.ts']);
const main = await vitest([]);
if (isolated.code !== 0) {
	console.error('\nThe isolated suite (vitest.isolated.config.ts, run first) FAILED:\n');
	console.error(failures(isolated.output) || `vitest exited with ${isolated.code}`);
}
process.exit(isolated.code || main.code);
