/** What the cluster suites' Postgres nodes need made before any of them starts. */
import pg from 'pg';

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
