/**
 * The books after a benchmark run, checked in SQL on the bench's database: every currency sums to
 * zero (balances and entries), every ledger transaction balances, no client account is overdrawn,
 * every stored balance equals its entries, and the POSTED payments are exactly those counted
 * (none lost, none doubled; requests of unknown outcome widen the range by their number).
 */
import { Client } from "pg";

export interface Invariant {
  name: string;
  pass: boolean;
  detail: string;
}

export async function checkInvariants(
  databaseUrl: string,
  expectedPosted: number,
  unknownOutcomes: number,
): Promise<Invariant[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const results: Invariant[] = [];
    const q = async <T extends Record<string, unknown>>(sql: string) => (await client.query<T>(sql)).rows;

    const postedByCurrency = await q<{ currency: string; total: string; accounts: string }>(
      `SELECT currency, sum(posted)::text AS total, count(*)::text AS accounts
         FROM ledger.account GROUP BY currency ORDER BY currency`,
    );
    results.push({
      name: "sum of account.posted per currency = 0",
      pass: postedByCurrency.length > 0 && postedByCurrency.every((r) => r.total === "0"),
      detail: postedByCurrency.map((r) => `${r.currency}: ${r.total} over ${r.accounts} accounts`).join("; "),
    });

    const entriesByCurrency = await q<{ currency: string; total: string; entries: string }>(
      `SELECT currency, sum(amount)::text AS total, count(*)::text AS entries
         FROM ledger.entry GROUP BY currency ORDER BY currency`,
    );
    results.push({
      name: "sum of entry.amount per currency = 0",
      pass: entriesByCurrency.length > 0 && entriesByCurrency.every((r) => r.total === "0"),
      detail: entriesByCurrency.map((r) => `${r.currency}: ${r.total} over ${r.entries} entries`).join("; "),
    });

    const [unbalanced] = await q<{ count: string }>(
      `SELECT count(*)::text AS count FROM (
         SELECT transaction_id FROM ledger.entry GROUP BY transaction_id, currency HAVING sum(amount) <> 0
       ) t`,
    );
    results.push({
      name: "every ledger transaction's entries sum to 0",
      pass: unbalanced.count === "0",
      detail: `${unbalanced.count} unbalanced transactions`,
    });

    const [overdrawn] = await q<{ count: string; lowest: string | null }>(
      `SELECT count(*)::text AS count, min(posted - pending + overdraft_limit)::text AS lowest
         FROM ledger.account WHERE kind = 'CLIENT' AND posted - pending + overdraft_limit < 0`,
    );
    results.push({
      name: "no CLIENT account with posted - pending + overdraft_limit < 0",
      pass: overdrawn.count === "0",
      detail: `${overdrawn.count} overdrawn accounts${overdrawn.lowest ? ` (lowest available ${overdrawn.lowest})` : ""}`,
    });

    const [drifted] = await q<{ count: string; accounts: string }>(
      `SELECT count(*) FILTER (WHERE a.posted <> COALESCE(e.total, 0))::text AS count, count(*)::text AS accounts
         FROM ledger.account a
         LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger.entry GROUP BY account_id) e
           ON e.account_id = a.id`,
    );
    results.push({
      name: "every account's stored posted = sum of its entries",
      pass: drifted.count === "0",
      detail: `${drifted.count} of ${drifted.accounts} accounts differ`,
    });

    const [payments] = await q<{ posted: string; other: string; transactions: string }>(
      `SELECT count(*) FILTER (WHERE status = 'POSTED')::text AS posted,
              count(*) FILTER (WHERE status <> 'POSTED')::text AS other,
              (SELECT count(*) FROM ledger.ledger_transaction)::text AS transactions
         FROM ledger.payment`,
    );
    const posted = Number(payments.posted);
    const postedOk =
      unknownOutcomes === 0
        ? posted === expectedPosted
        : posted >= expectedPosted && posted <= expectedPosted + unknownOutcomes;
    results.push({
      name: "POSTED payments = successes counted + setup fundings",
      pass: postedOk && payments.other === "0",
      detail:
        `${posted} POSTED in the database, ${expectedPosted} counted` +
        (unknownOutcomes ? ` (+ up to ${unknownOutcomes} requests of unknown outcome)` : "") +
        `; ${payments.other} in another status; ${payments.transactions} ledger transactions`,
    });
    return results;
  } finally {
    await client.end();
  }
}
