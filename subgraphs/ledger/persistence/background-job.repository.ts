/**
 * The history of the ledger's background jobs: one row per job (its id is pg-boss's), moved on
 * as it is queued, run, retried and finished, and kept after pg-boss has archived the job.
 */
import type { DataSource } from "typeorm";
import type { KeysetPosition } from "../../../common/db/keyset-position";
import { lazyCount } from "../../../common/db/data-source";

export type BackgroundJobState = "QUEUED" | "RUNNING" | "RETRYING" | "SUCCEEDED" | "FAILED";

export interface BackgroundJobRow extends KeysetPosition {
  name: string;
  requestedBy: string;
  state: BackgroundJobState;
  attempts: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  result: Record<string, unknown> | null;
  lastError: string | null;
}

const SELECT_JOB = `
  SELECT j.id, j.name, j.requested_by AS "requestedBy", j.state, j.attempts, j.created_at AS "createdAt",
         j.started_at AS "startedAt", j.finished_at AS "finishedAt", j.result, j.last_error AS "lastError"
    FROM ledger.background_job j`;

export class BackgroundJobRepository {
  constructor(private readonly db: DataSource) {}

  async queued(id: string, name: string, requestedBy: string): Promise<void> {
    await this.db.query(
      `INSERT INTO ledger.background_job (id, name, requested_by, state) VALUES ($1, $2, $3, 'QUEUED')
       ON CONFLICT (id) DO NOTHING`,
      [id, name, requestedBy],
    );
  }

  /** An attempt begins (a scheduled job has no row until then). */
  async started(id: string, name: string): Promise<void> {
    await this.db.query(
      `INSERT INTO ledger.background_job (id, name, requested_by, state, attempts, started_at)
       VALUES ($1, $2, 'schedule', 'RUNNING', 1, now())
       ON CONFLICT (id) DO UPDATE SET state = 'RUNNING', attempts = ledger.background_job.attempts + 1,
                                      started_at = now(), finished_at = NULL`,
      [id, name],
    );
  }

  async finished(
    id: string,
    outcome: { state: "SUCCEEDED"; result: object } | { state: "RETRYING" | "FAILED"; error: string },
  ): Promise<void> {
    await this.db.query(
      `UPDATE ledger.background_job SET state = $2, finished_at = now(), result = COALESCE($3::jsonb, result),
              last_error = COALESCE($4, last_error)
        WHERE id = $1`,
      [
        id,
        outcome.state,
        outcome.state === "SUCCEEDED" ? JSON.stringify(outcome.result) : null,
        outcome.state === "SUCCEEDED" ? null : outcome.error,
      ],
    );
  }

  async jobsByIds(ids: readonly string[]): Promise<BackgroundJobRow[]> {
    return (await this.db.query(`${SELECT_JOB} WHERE j.id = ANY ($1::uuid[])`, [ids])) as BackgroundJobRow[];
  }

  async listJobs(
    filter: { name?: string | null; state?: string | null },
    size: number,
    after?: KeysetPosition,
  ) {
    const values: unknown[] = [];
    const where: string[] = [];
    const param = (value: unknown) => `$${values.push(value)}`;
    if (filter.name) where.push(`j.name = ${param(filter.name)}`);
    if (filter.state) where.push(`j.state = ${param(filter.state)}`);
    const clause = () => (where.length ? `WHERE ${where.join(" AND ")}` : "");
    const countSql = `SELECT count(*)::int AS total FROM ledger.background_job j ${clause()}`;
    const countValues = [...values];
    if (after) where.push(`(j.created_at, j.id) > (${param(after.createdAt)}, ${param(after.id)}::uuid)`);
    const rows = (await this.db.query(
      `${SELECT_JOB} ${clause()} ORDER BY j.created_at, j.id LIMIT ${size + 1}`,
      values,
    )) as BackgroundJobRow[];
    return { rows, count: lazyCount(this.db, countSql, countValues) };
  }
}
