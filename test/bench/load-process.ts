/**
 * One workload against one arm, in a process of its own: the load generator starts fresh for every
 * run, so that what one arm's thousands of client sockets leave behind (heap, timers) cannot slow
 * the next one's load and show up as that server's cost. Run by run.ts through `runInLoadProcess` (load-runner.ts).
 */
import {
	chat,
	churn,
	largeRoom,
	realistic,
	scale,
	type ArmSpec,
	type Settings
} from './workloads.js';

export type Job =
	| { workload: 'chat' | 'churn'; arm: ArmSpec; settings: Settings }
	| {
			workload: 'scale' | 'realistic' | 'large-room';
			arm: ArmSpec;
			settings: Settings;
			counts: number[];
	  };

function run(job: Job): Promise<unknown> {
	switch (job.workload) {
		case 'chat':
			return chat(job.arm, job.settings);
		case 'churn':
			return churn(job.arm, job.settings);
		case 'scale':
			return scale(job.arm, job.counts, job.settings);
		case 'realistic':
			return realistic(job.arm, job.counts, job.settings);
		case 'large-room':
			return largeRoom(job.arm, job.counts, job.settings);
	}
}

process.once('message', async (job: Job) => {
	try {
		const result = await run(job);
		process.send!({ type: 'result', result }, () => process.exit(0));
	} catch (err) {
		process.send!({ type: 'error', message: String((err as Error)?.stack ?? err) }, () =>
			process.exit(1)
		);
	}
});

// A bench stopped mid-run (Ctrl-C, a timeout) takes its processes with it: none is left loading the machine.
process.on('disconnect', () => process.exit(0));
