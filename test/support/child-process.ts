/**
 * A fixture run in a process of its own (a crowd of clients, a busy host), asked over IPC one
 * request at a time: `forkSelf` in the test, `answerRequests` in the child, both in the same module.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Forked<R> {
	/** Sends `request` and resolves with the child's answer; its error is thrown here. */
	call<T>(request: R): Promise<T>;
	child: ChildProcess;
}

/** Runs the module at `moduleUrl` (its `import.meta.url`) again as a child, through tsx. */
export function forkSelf<R>(moduleUrl: string): Forked<R> {
	const child = fork(fileURLToPath(moduleUrl), ['child'], {
		execArgv: ['--import', 'tsx'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc']
	});
	return {
		child,
		call: <T>(request: R) =>
			new Promise<T>((resolve, reject) => {
				child.once('message', (reply: { error?: string; value: T }) =>
					reply.error ? reject(new Error(reply.error)) : resolve(reply.value)
				);
				child.send(request as object);
			})
	};
}

/** In the child (`isChild()`): answers each request with what `serve` resolves to; exits with its parent. */
export function answerRequests<R>(serve: (request: R) => Promise<unknown>): void {
	process.on('message', (request: R) => {
		serve(request).then(
			(value) => process.send!({ value }),
			(err) => process.send!({ error: String((err as Error)?.stack ?? err) })
		);
	});
	process.on('disconnect', () => process.exit(0));
}

/** Whether this module runs as the child that `forkSelf` started. */
export function isChild(): boolean {
	return process.argv[2] === 'child';
}
