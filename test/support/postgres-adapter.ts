/**
 * `pg` and `@socket.io/postgres-adapter` for the cluster suites' Postgres nodes.
 *
 * TEMPORARY (issue #28): they are not in devDependencies yet. Until they are, they load from the
 * project's own node_modules when there, else from a side folder (`SOCKSCOPE_PG_DEPS`, default
 * /work/pg-deps) made with `npm install @socket.io/postgres-adapter@^0.5 pg@^8`. Once they are
 * devDependencies, replace this file's body with plain imports and drop the side folder.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

const SIDE = process.env.SOCKSCOPE_PG_DEPS ?? '/work/pg-deps';

interface Pool {
	on(event: string, listener: (...args: unknown[]) => void): unknown;
	query(text: string): Promise<unknown>;
	end(): Promise<void>;
}

export interface PostgresAdapterModules {
	Pool: new (config: object) => Pool;
	createAdapter: (pool: Pool, options?: object) => unknown;
}

/** The folder to resolve the two packages from: the project's, or the side folder. */
function from(): NodeJS.Require | undefined {
	for (const base of [import.meta.url, join(SIDE, 'package.json')]) {
		const require = createRequire(base);
		try {
			require.resolve('pg');
			require.resolve('@socket.io/postgres-adapter');
			return require;
		} catch {
			// not there: the next
		}
	}
	return undefined;
}

const resolver = from();

export const hasPostgresAdapter = resolver !== undefined;

export function loadPostgresAdapter(): PostgresAdapterModules {
	if (!resolver)
		throw new Error(
			'npm install -D @socket.io/postgres-adapter@^0.5 pg@^8 (see test/support/postgres-adapter.ts)'
		);
	const pg = resolver('pg') as { Pool: PostgresAdapterModules['Pool'] };
	const adapter = resolver('@socket.io/postgres-adapter') as Pick<
		PostgresAdapterModules,
		'createAdapter'
	>;
	return { Pool: pg.Pool, createAdapter: adapter.createAdapter };
}

/** The table where the adapter puts payloads too large for a NOTIFY: made once, before any node starts. */
export async function createAttachmentsTable(connectionString: string): Promise<void> {
	const { Pool } = loadPostgresAdapter();
	const pool = new Pool({ connectionString });
	try {
		await pool.query(`CREATE TABLE IF NOT EXISTS socket_io_attachments (
			id bigserial UNIQUE,
			created_at timestamptz DEFAULT NOW(),
			payload bytea
		)`);
	} finally {
		await pool.end();
	}
}
