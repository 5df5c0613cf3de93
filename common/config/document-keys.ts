/**
 * The document keys of the configuration table (decision 0034): storage, limits, signed URLs,
 * retention, and the transfer rule that asks for a supporting document. Spread at the end of
 * `CONFIG_KEYS`, so they are the last rows of the README's table.
 */
import type { ConfigKeyRow } from "./keys";
import { fxRates, integer, lowerCaseList, oneOf, optionalText, text } from "./parsers";

export const DOCUMENT_CONFIG_KEYS = {
  DOCUMENTS_STORAGE: {
    default: "`postgres`",
    meaning:
      "where document bytes live: `postgres` (each subgraph's own `document_chunk` table, 256 KiB chunks) or `filesystem` (`DOCUMENTS_DIR`)",
    parse: oneOf(["postgres", "filesystem"], "postgres"),
  },
  DOCUMENTS_DIR: {
    default: "`.data/documents`",
    meaning: "directory of the `filesystem` storage (one subdirectory per subgraph); unused with `postgres`",
    parse: text(".data/documents"),
  },
  DOCUMENTS_MAX_BYTES: {
    default: "`10485760`",
    meaning: "largest document accepted, in bytes (10 MiB by default)",
    parse: integer(10_485_760, 1, 1_073_741_824),
  },
  DOCUMENTS_CONTENT_TYPES: {
    default: "`application/pdf,image/jpeg,image/png`",
    meaning:
      "content types accepted, each checked against the bytes' own signature (`file-type`), never the declared type or name alone",
    parse: lowerCaseList("application/pdf,image/jpeg,image/png"),
  },
  DOCUMENTS_URL_TTL_SECONDS: {
    default: "`300`",
    meaning: "how long a signed upload or download URL works once minted",
    parse: integer(300, 5, 86_400),
  },
  DOCUMENTS_URL_SECRET: {
    default: "`JWT_SECRET`",
    meaning:
      "HMAC key that signs upload and download URLs (caller, document, expiry); required in production with `JWT_JWKS_URL`",
    parse: optionalText,
  },
  DOCUMENTS_RETENTION_DAYS: {
    default: "`30`",
    meaning:
      "days a deleted document's bytes are kept before they are removed (the record stays for the audit trail); `0` removes them at once",
    parse: integer(30, 0, 36_500),
  },
  TRANSFER_DOCUMENT_REQUIRED_ABOVE: {
    default: "unset: off",
    meaning:
      "`CODE=amount` pairs, e.g. `EUR=10000,USD=11000`: an outgoing transfer above the amount of its currency cannot be confirmed without a supporting document (TRANSFER_DOCUMENT_REQUIRED)",
    parse: fxRates(""),
  },
} satisfies Record<string, ConfigKeyRow>;
