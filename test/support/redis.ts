/**
 * Suites that need a real `redis-server`. Without it installed they skip with one line saying how
 * to install it — except on CI, where a missing server is an error rather than a skipped suite.
 */
import { spawnSync } from 'node:child_process';
import { describe } from 'vitest';

export { startRedis, type RedisServer } from '../../server/demo/redis-server.js';

const INSTALL_HINT = 'redis-server not found: apt-get install -y redis-server';

export const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
let warned = false;

/** `describe` when redis-server is installed; otherwise `describe.skip`, said once, or a throw on CI. */
export function describeWithRedis(name: string, body: () => void): void {
	if (hasRedisServer) {
		describe(name, body);
		return;
	}
	if (process.env.CI) throw new Error(INSTALL_HINT);
	if (!warned) console.warn(INSTALL_HINT);
	warned = true;
	describe.skip(name, body);
}

