/** Starts one node of a test cluster (node.ts) in its own process and waits for its port. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Node {
	id: string;
	port: number;
	child: ChildProcess;
}

export function startNode(
	id: string,
	storeUrl: string,
	kind: string,
	options: { recovery?: boolean } = {}
): Promise<Node> {
	const args = [id, storeUrl, kind, ...(options.recovery ? ['--recovery'] : [])];
	const child = fork(fileURLToPath(new URL('./node.ts', import.meta.url)), args, {
		execArgv: ['--import', 'tsx'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc']
	});
	return new Promise((resolve, reject) => {
		child.once('message', (m: { port: number }) => resolve({ id, port: m.port, child }));
		child.once('exit', (code) => reject(new Error(`node ${id} exited with ${code}`)));
	});
}

/** How many times the agent read each socket of the node's `/` so far, by id (node.ts counts them). */
export function readsOf(node: Node): Promise<Record<string, number>> {
	return new Promise((resolve) => {
		const onMessage = (m: { type?: string; reads?: Record<string, number> }) => {
			if (m?.type !== 'reads') return;
			node.child.off('message', onMessage);
			resolve(m.reads!);
		};
		node.child.on('message', onMessage);
		node.child.send({ type: 'reads' });
	});
}
