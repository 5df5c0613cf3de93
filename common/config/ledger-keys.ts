/**
 * The ledger's keys of the configuration table: currencies, business days and their jobs, group commit. Spread into `CONFIG_KEYS` (keys.ts) where they stand in the README's table.
 */
import type { ConfigKeyRow } from "./keys";
import { codeList, decimal, flag, timeZone } from "./parsers";

export const LEDGER_CONFIG_KEYS = {
  LEDGER_CURRENCIES: {
    default: "`EUR,USD,GBP,CHF,JPY`",
    meaning:
      "ISO 4217 codes the bank offers accounts in (each gets a settlement, a suspense and an FX position account at start)",
    parse: codeList("EUR,USD,GBP,CHF,JPY"),
  },
  BANK_TIMEZONE: {
    default: "`Europe/London`",
    meaning: "IANA time zone of the bank's business days: daily balances, the day close and the daily check",
    parse: timeZone("Europe/London"),
  },
  LEDGER_JOBS: {
    default: "`on`",
    meaning:
      "run the ledger's background jobs (day close, daily check, balance check; pg-boss, schema `pgboss`) in this instance; any number may, each job runs once (`off`: this instance only queues them)",
    parse: flag(true),
  },
  LEDGER_GROUP_COMMIT_MS: {
    default: "`2`",
    meaning:
      "group commit: payments created while others are in flight wait for more to join, up to this long (ms) or until one in flight is answered, then go to the database together in one transaction, each with its own answer; a request alone never waits, one on an account in flight waits for that answer; `0` turns it off",
    parse: decimal(2, 0, 1000),
  },
} satisfies Record<string, ConfigKeyRow>;
