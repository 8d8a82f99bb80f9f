/** `pg` and `@socket.io/postgres-adapter` for the cluster suites' Postgres nodes. */
import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';

export interface PostgresAdapterModules {
	Pool: typeof pg.Pool;
	createAdapter: typeof createAdapter;
}

export function loadPostgresAdapter(): PostgresAdapterModules {
	return { Pool: pg.Pool, createAdapter };
}

/** The table where the adapter puts payloads too large for a NOTIFY: made once, before any node starts. */
export async function createAttachmentsTable(connectionString: string): Promise<void> {
	const pool = new pg.Pool({ connectionString });
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
