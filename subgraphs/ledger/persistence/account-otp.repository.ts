/**
 * The SQL of account step-up codes and their grants (`ledger.account_otp`), and the ledger's
 * notification outbox that delivers the codes. The rules are common/otp.ts and domain/step-up.ts.
 */
import type { DataSource, EntityManager } from "typeorm";
import type { ConfirmationStatus } from "../../../common/otp";

export type Tx = EntityManager;

/** One code sent for one action on one account, and the grant a right code gave. */
export interface AccountOtpRow {
  id: string;
  accountId: string;
  clientId: string;
  requestedBy: string;
  action: string;
  codeHash: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  expiresAt: Date;
  createdAt: Date;
  grantExpiresAt: Date | null;
  grantUsedAt: Date | null;
}

const COLUMNS = `id, account_id AS "accountId", client_id AS "clientId", requested_by AS "requestedBy",
  action, code_hash AS "codeHash", status, attempts, max_attempts AS "maxAttempts",
  expires_at AS "expiresAt", created_at AS "createdAt", grant_expires_at AS "grantExpiresAt",
  grant_used_at AS "grantUsedAt"`;

/** Who asked for which action on which account: the unit codes are counted and replaced by. */
export interface OtpScope {
  accountId: string;
  requestedBy: string;
  action: string;
}

export class AccountOtpRepository {
  constructor(private readonly db: DataSource) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /**
   * Serialises sends for one scope until the end of `tx`, so two at once cannot both pass the
   * count or both leave a code open; then counts the codes sent for it within `hours`.
   */
  async lockScopeAndCount(tx: Tx, scope: OtpScope, hours: number): Promise<number> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
      `account_otp:${scope.accountId}:${scope.requestedBy}:${scope.action}`,
    ]);
    const [{ count }] = (await tx.query(
      `SELECT count(*)::int AS count FROM ledger.account_otp
        WHERE account_id = $1 AND requested_by = $2 AND action = $3
          AND created_at > now() - make_interval(hours => $4)`,
      [scope.accountId, scope.requestedBy, scope.action, hours],
    )) as [{ count: number }];
    return count;
  }

  /**
   * The account's status, share-locked until `tx` ends: a close waits for it, and one committed
   * first is seen, so no code is sent or grant given for an account closed meanwhile.
   */
  async accountStatus(tx: Tx, accountId: string): Promise<string | null> {
    const [row] = (await tx.query(`SELECT status FROM ledger.account WHERE id = $1 FOR SHARE`, [
      accountId,
    ])) as {
      status: string;
    }[];
    return row?.status ?? null;
  }

  /** Voids the scope's open code, if any: a new one replaces it. */
  async voidOpen(tx: Tx, scope: OtpScope): Promise<void> {
    await tx.query(
      `UPDATE ledger.account_otp SET status = 'VOIDED', closed_at = now()
        WHERE account_id = $1 AND requested_by = $2 AND action = $3 AND status = 'OPEN'`,
      [scope.accountId, scope.requestedBy, scope.action],
    );
  }

  async insert(
    tx: Tx,
    otp: OtpScope & {
      id: string;
      clientId: string;
      codeHash: string;
      maxAttempts: number;
      ttlSeconds: number;
    },
  ): Promise<AccountOtpRow> {
    const [row] = (await tx.query(
      `INSERT INTO ledger.account_otp
              (id, account_id, client_id, requested_by, action, code_hash, status, max_attempts, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'OPEN', $7, now() + make_interval(secs => $8))
       RETURNING ${COLUMNS}`,
      [
        otp.id,
        otp.accountId,
        otp.clientId,
        otp.requestedBy,
        otp.action,
        otp.codeHash,
        otp.maxAttempts,
        otp.ttlSeconds,
      ],
    )) as AccountOtpRow[];
    return row;
  }

  /** A code by id, locked for the rest of `tx`, with the database's time to judge its expiry by. */
  async lockById(tx: Tx, id: string): Promise<{ otp: AccountOtpRow; now: Date } | null> {
    const [row] = (await tx.query(
      `SELECT ${COLUMNS}, now() AS "dbNow" FROM ledger.account_otp WHERE id = $1 FOR UPDATE`,
      [id],
    )) as (AccountOtpRow & { dbNow: Date })[];
    if (!row) return null;
    const { dbNow, ...otp } = row;
    return { otp, now: new Date(dbNow) };
  }

  /** Counts a wrong code (locking at the limit) or closes an OPEN code; a closed one is final. */
  async update(tx: Tx, id: string, change: { attempts: number; status: ConfirmationStatus }): Promise<void> {
    await tx.query(
      `UPDATE ledger.account_otp
          SET attempts = $2, status = $3, closed_at = CASE WHEN $3 = 'OPEN' THEN NULL ELSE now() END
        WHERE id = $1 AND status = 'OPEN'`,
      [id, change.attempts, change.status],
    );
  }

  /** Gives a used code its grant (kept only as a hash); answers when the grant expires. */
  async setGrant(tx: Tx, id: string, grantHash: string, ttlSeconds: number): Promise<Date> {
    // An UPDATE answers [rows, count] through TypeORM.
    const [rows] = (await tx.query(
      `UPDATE ledger.account_otp
          SET grant_hash = $2, grant_expires_at = now() + make_interval(secs => $3)
        WHERE id = $1 AND status = 'USED' AND grant_hash IS NULL
        RETURNING grant_expires_at AS "expiresAt"`,
      [id, grantHash, ttlSeconds],
    )) as [{ expiresAt: Date }[], number];
    return rows[0].expiresAt;
  }

  /** The grant with this hash, locked for the rest of `tx`, with the database's time. */
  async lockGrant(tx: Tx, grantHash: string): Promise<{ otp: AccountOtpRow; now: Date } | null> {
    const [row] = (await tx.query(
      `SELECT ${COLUMNS}, now() AS "dbNow" FROM ledger.account_otp WHERE grant_hash = $1 FOR UPDATE`,
      [grantHash],
    )) as (AccountOtpRow & { dbNow: Date })[];
    if (!row) return null;
    const { dbNow, ...otp } = row;
    return { otp, now: new Date(dbNow) };
  }

  async markGrantUsed(tx: Tx, id: string): Promise<void> {
    await tx.query(
      `UPDATE ledger.account_otp SET grant_used_at = now() WHERE id = $1 AND grant_used_at IS NULL`,
      [id],
    );
  }

  /** The notification port's default: a row for the delivery process, in the caller's transaction. */
  async queueNotification(tx: Tx, clientId: string, kind: string, payload: object): Promise<void> {
    await tx.query(`INSERT INTO ledger.notification_outbox (client_id, kind, payload) VALUES ($1, $2, $3)`, [
      clientId,
      kind,
      JSON.stringify(payload),
    ]);
  }
}
