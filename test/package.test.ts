/** `import { instrument } from 'sockscope'` works from a script in the project, as the README says. */
import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';

test('the package exports instrument() by its name', () => {
	const script = `
		import { Server } from 'socket.io';
		import { instrument } from 'sockscope';
		const agent = instrument(new Server(), { auth: false });
		console.log(typeof instrument, agent.options.namespace);
		await agent.close();
	`;
	const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
	expect(out.trim()).toBe('function /sockscope');
});
