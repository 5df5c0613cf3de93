import { Client } from "pg";

/** Drops the run's databases and stops the embedded server if one was started. */
export default async function globalTeardown(): Promise<void> {
  const database = globalThis.__TEST_DATABASE__;
  if (!database) return;
  const admin = new Client({ connectionString: database.adminUrl });
  await admin.connect();
  // The suites' copies are dropped by their stacks; any left by a crashed suite go here.
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $1 || '\\_s%'`,
    [database.name],
  );
  for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await admin.end();
  await database.stop?.();
}
