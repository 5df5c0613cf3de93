/**
 * The operation limits of the configuration table (decision 0024): what one GraphQL request may ask for. Spread into `CONFIG_KEYS` (keys.ts) where they stand in the README's table.
 */
import type { ConfigKeyRow } from "./keys";
import { flag, integer } from "./parsers";

export const OPERATION_LIMIT_CONFIG_KEYS = {
  GRAPHQL_MAX_TOKENS: {
    default: "`5000`",
    meaning: 'lexical tokens one GraphQL document may have (see "Limits"; subgraphs allow 4x)',
    parse: integer(5_000, 100, 10_000_000),
  },
  GRAPHQL_MAX_DEPTH: {
    default: "`10`",
    meaning: "levels of nested fields an operation may have",
    parse: integer(10, 1, 1_000),
  },
  GRAPHQL_MAX_ALIASES: {
    default: "`30`",
    meaning: "aliased fields an operation may have (subgraphs allow 4x)",
    parse: integer(30, 0, 100_000),
  },
  GRAPHQL_MAX_DIRECTIVES: {
    default: "`50`",
    meaning: "directives an operation may use (subgraphs allow 4x)",
    parse: integer(50, 0, 100_000),
  },
  GRAPHQL_MAX_COST: {
    default: "`5000`",
    meaning:
      "cost (objects it may return, list sizes counted) an operation of a front-office caller may have (subgraphs allow 4x)",
    parse: integer(5_000, 1, 1_000_000_000),
  },
  GRAPHQL_MAX_COST_SYSTEM: {
    default: "`50000`",
    meaning: "the same for system callers",
    parse: integer(50_000, 1, 1_000_000_000),
  },
  GRAPHQL_MAX_VARIABLE_DEPTH: {
    default: "`20`",
    meaning: "how deeply a variable's value or `extensions` may nest",
    parse: integer(20, 1, 1_000),
  },
  GRAPHQL_LIMITS: {
    default: "`on`",
    meaning: "`off` switches every operation limit off: for benchmarking and diagnosis only",
    parse: flag(true),
  },
} satisfies Record<string, ConfigKeyRow>;
