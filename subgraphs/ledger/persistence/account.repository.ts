/**
 * The SQL of accounts: client accounts and the bank's own (one of each bank kind per currency),
 * their balances and their order. Money never moves here: see payment.repository.ts.
 */
import { type DataSource, type EntityManager, In } from "typeorm";
import { findByIds, findByUuids, keysetPage } from "../../../common/db/data-source";
import { counterCount } from "../../../common/db/row-counter";
import type { RowProperties } from "../../../common/db/row-reader";
import type { KeysetPosition } from "../../../common/db/keyset-position";
import { accountNumberFromSerial } from "../../../common/account-number";
import { isUuid } from "../../../common/ids";
import {
  type AccountKind,
  type AccountStatus,
  BANK_ACCOUNT_KINDS,
  type BankAccountKind,
  bankAccountName,
} from "../domain/account-status";
import { ACCOUNT_COUNTER } from "./counters";
import { AccountRow } from "./entities";

export interface AccountFilter {
  clientId?: string | null;
  currency?: string | null;
  status?: AccountStatus | null;
  number?: string | null;
}

export interface BalanceCheckRow {
  accountId: string;
  storedPosted: string;
  actualPosted: string;
  storedPending: string;
  actualPending: string;
}

export class AccountRepository {
  /** Account currencies never change, so they are cached for the process (bounded). */
  private readonly currencies = new Map<string, string>();

  constructor(private readonly db: DataSource) {}

  async insertAccount(account: {
    kind: AccountKind;
    clientId: string | null;
    currency: string;
    name: string;
    overdraftLimit: bigint;
  }): Promise<AccountRow> {
    const [{ serial }] = (await this.db.query(
      `SELECT nextval('ledger.account_number_serial') AS serial`,
    )) as [{ serial: string }];
    const position = account.clientId ? `(SELECT count(*) FROM ledger.account WHERE client_id = $2)` : "0";
    const [row] = (await this.db.query(
      `INSERT INTO ledger.account (number, client_id, kind, currency, name, overdraft_limit, position)
       VALUES ($1, $2, $3, $4, $5, $6, ${position}) RETURNING id`,
      [
        accountNumberFromSerial(serial),
        account.clientId,
        account.kind,
        account.currency,
        account.name,
        account.overdraftLimit.toString(),
      ],
    )) as [{ id: string }];
    return this.db.getRepository(AccountRow).findOneByOrFail({ id: row.id });
  }

  /**
   * One account of each bank kind per currency (`BANK_ACCOUNT_KINDS`); returns how many it
   * created. Safe to run at every start and concurrently: the unique index on (kind, currency)
   * lets a racing insert do nothing.
   */
  async ensureBankAccounts(currencies: string[]): Promise<number> {
    const existing = (await this.db.query(
      `SELECT kind, currency FROM ledger.account WHERE kind <> 'CLIENT' AND currency = ANY ($1)`,
      [currencies],
    )) as { kind: BankAccountKind; currency: string }[];
    const missing = currencies.flatMap((currency) =>
      BANK_ACCOUNT_KINDS.filter(
        (kind) => !existing.some((a) => a.kind === kind && a.currency === currency),
      ).map((kind) => ({ kind, currency })),
    );
    if (!missing.length) return 0;
    const serials = (await this.db.query(
      `SELECT nextval('ledger.account_number_serial') AS serial FROM generate_series(1, $1)`,
      [missing.length],
    )) as { serial: string }[];
    const created = (await this.db.query(
      `INSERT INTO ledger.account (number, kind, currency, name)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (kind, currency) WHERE kind <> 'CLIENT' DO NOTHING
       RETURNING id`,
      [
        serials.map((row) => accountNumberFromSerial(row.serial)),
        missing.map((a) => a.kind),
        missing.map((a) => a.currency),
        missing.map((a) => bankAccountName(a.kind, a.currency)),
      ],
    )) as { id: string }[];
    return created.length;
  }

  accountsByIds(ids: readonly string[]): Promise<AccountRow[]> {
    return findByIds(this.db, AccountRow, ids);
  }

  async accountsByNumbers(numbers: readonly string[]): Promise<AccountRow[]> {
    return numbers.length ? this.db.getRepository(AccountRow).findBy({ number: In([...numbers]) }) : [];
  }

  /** Accounts of many clients in one statement, in each client's order. */
  accountsByClientIds(clientIds: readonly string[]): Promise<AccountRow[]> {
    return findByUuids(this.db, AccountRow, "clientId", clientIds, { position: "ASC", createdAt: "ASC" });
  }

  async bankAccount(kind: BankAccountKind, currency: string): Promise<AccountRow | null> {
    return this.db.getRepository(AccountRow).findOneBy({ kind, currency });
  }

  /**
   * {@link currenciesOf} without waiting, when every account asked about is known already (the
   * answer is the same); undefined when one must be looked up.
   */
  knownCurrencies(ids: string[]): Map<string, string> | undefined {
    return ids.some((id) => this.unknownAccount(id)) ? undefined : this.cachedCurrencies(ids);
  }

  /** The currency of each account (cached: it never changes); unknown ids are absent. */
  async currenciesOf(ids: string[]): Promise<Map<string, string>> {
    const missing = ids.filter((id) => this.unknownAccount(id));
    if (missing.length) {
      if (this.currencies.size > 100_000) this.currencies.clear();
      const rows = (await this.db.query(`SELECT id, currency FROM ledger.account WHERE id = ANY ($1)`, [
        missing,
      ])) as {
        id: string;
        currency: string;
      }[];
      for (const row of rows) this.currencies.set(row.id, row.currency);
    }
    return this.cachedCurrencies(ids);
  }

  /** An id that may name an account whose currency is not cached (one that is not a UUID names none). */
  private unknownAccount(id: string): boolean {
    // The cache first: what it holds is a UUID, and most payments name accounts it holds.
    return !this.currencies.has(id) && isUuid(id);
  }

  private cachedCurrencies(ids: string[]): Map<string, string> {
    return new Map(ids.filter((id) => this.currencies.has(id)).map((id) => [id, this.currencies.get(id)!]));
  }

  async listAccounts(
    filter: AccountFilter,
    size: number,
    after?: KeysetPosition,
    properties?: RowProperties,
  ) {
    const query = this.db.getRepository(AccountRow).createQueryBuilder("a").where("a.kind = 'CLIENT'");
    if (filter.clientId) query.andWhere("a.client_id = :clientId", { clientId: filter.clientId });
    if (filter.currency) query.andWhere("a.currency = :currency", { currency: filter.currency });
    if (filter.status) query.andWhere("a.status = :status", { status: filter.status });
    if (filter.number) query.andWhere("a.number = :number", { number: filter.number });
    // Currency and status alone (no client, no number): the counter counts them exactly.
    const count = counterCount(this.db, ACCOUNT_COUNTER, { ...filter, kind: "CLIENT" });
    return keysetPage(query, size, after, properties, count);
  }

  /** Renames and/or sets status and overdraft; the overdraft may not drop below what is in use. */
  async updateAccount(
    id: string,
    changes: { name?: string; status?: AccountStatus; overdraftLimit?: bigint },
  ): Promise<AccountRow | null> {
    const result = (await this.db.query(
      `UPDATE ledger.account
          SET name = COALESCE($2, name), status = COALESCE($3, status),
              overdraft_limit = COALESCE($4::bigint, overdraft_limit), updated_at = now()
        WHERE id = $1 AND status <> 'CLOSED'
          AND ($4::bigint IS NULL OR posted - pending + $4::bigint >= 0)
        RETURNING id`,
      [id, changes.name ?? null, changes.status ?? null, changes.overdraftLimit?.toString() ?? null],
    )) as [unknown[], number];
    const [rows] = result;
    if (!rows.length) return null;
    return this.db.getRepository(AccountRow).findOneByOrFail({ id });
  }

  /** Closes an account that holds nothing; null when it is not empty or already closed. `tx`: within it. */
  async closeAccount(id: string, tx: EntityManager = this.db.manager): Promise<AccountRow | null> {
    const [rows] = (await tx.query(
      `UPDATE ledger.account SET status = 'CLOSED', updated_at = now()
        WHERE id = $1 AND status <> 'CLOSED' AND posted = 0 AND pending = 0 RETURNING id`,
      [id],
    )) as [unknown[], number];
    if (!rows.length) return null;
    return tx.getRepository(AccountRow).findOneByOrFail({ id });
  }

  /** Sets positions 0..n-1 in the given order; returns how many of the client's accounts were placed. */
  async reorder(clientId: string, accountIds: string[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      // Locks in id order, as payments take them, so a reorder and a payment cannot deadlock.
      await tx.query(`SELECT 1 FROM ledger.account WHERE client_id = $1 ORDER BY id FOR NO KEY UPDATE`, [
        clientId,
      ]);
      const [, count] = (await tx.query(
        `UPDATE ledger.account a SET position = o.position - 1, updated_at = now()
           FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, position)
          WHERE a.id = o.id AND a.client_id = $1`,
        [clientId, accountIds],
      )) as [unknown[], number];
      return count;
    });
  }

  async aggregatedAmounts(clientId: string) {
    return (await this.db.query(
      `SELECT currency, sum(posted)::text AS posted, sum(pending)::text AS pending,
              sum(posted - pending + overdraft_limit)::text AS available
         FROM ledger.account WHERE client_id = $1 AND status <> 'CLOSED'
        GROUP BY currency ORDER BY currency`,
      [clientId],
    )) as { currency: string; posted: string; pending: string; available: string }[];
  }

  async recalculateBalances(accountIds: string[]): Promise<BalanceCheckRow[]> {
    const rows = (await this.db.query(`SELECT * FROM ledger.recalculate_balances($1::uuid[])`, [
      accountIds.filter(isUuid),
    ])) as Record<string, string>[];
    return rows.map((r) => ({
      accountId: r.account_id,
      storedPosted: r.stored_posted,
      actualPosted: r.actual_posted,
      storedPending: r.stored_pending,
      actualPending: r.actual_pending,
    }));
  }
}
