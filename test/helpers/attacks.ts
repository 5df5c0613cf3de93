/**
 * The attacks of issue 10's findings 4 and 8 (each stalled or broke the services before the
 * operation limits), plus one per limit that stays within every other, so each limit is seen
 * refusing under the defaults.
 */
import type { OperationLimitsConfig } from "../../common/config";
import type { LimitName } from "../../common/graphql/limits";

export interface Attack {
  name: string;
  query: string;
  /** The variables as JSON text: JSON.stringify cannot write a 5,000-level value (it recurses). */
  variablesJson: string;
  /** The same, parsed (JSON.parse does not recurse). */
  variables: Record<string, unknown>;
  /** The setting meant to stop it: alone, it refuses the attack. */
  meantFor: keyof OperationLimitsConfig;
  /** `extensions.limit` of that refusal. */
  limit: LimitName;
  /**
   * `extensions.limit` under the default settings, where several limits may apply: tokens are
   * counted while the document is read, so they refuse a huge document before anything else.
   */
  firstRefusedBy: LimitName;
}

const times = (n: number, make: (i: number) => string, separator = "\n") =>
  Array.from({ length: n }, (_, i) => make(i)).join(separator);

function attack(fields: Omit<Attack, "variables" | "variablesJson"> & { variablesJson?: string }): Attack {
  const variablesJson = fields.variablesJson ?? "{}";
  return { ...fields, variablesJson, variables: JSON.parse(variablesJson) as Record<string, unknown> };
}

/** A JSON object nested `levels` deep: `{"a":{"a":...1}}`. */
export function nestedJson(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
}

/** The attacks, aimed at the data of the front-office client `clientId`. */
export function attacks(clientId: string): Attack[] {
  const hops = (n: number) =>
    `{ client(id: "${clientId}") { ${"accounts { client { ".repeat(n)}id${" } }".repeat(n)} } }`;
  return [
    attack({
      name: "1,000 aliases of client(id) { accounts { balance } }",
      query: `{ ${times(1000, (i) => `a${i}: client(id: "${clientId}") { accounts { balance { available } } }`)} }`,
      meantFor: "maxAliases",
      limit: "aliases",
      firstRefusedBy: "tokens",
    }),
    attack({
      name: "a 7-hop client.accounts.client... fan-out",
      query: hops(7),
      meantFor: "maxDepth",
      limit: "depth",
      firstRefusedBy: "depth",
    }),
    attack({
      name: "200 x transfers(first: 100) in one document",
      query: `{ ${times(200, (i) => `t${i}: transfers(first: 100) { nodes { id amount status } }`)} }`,
      meantFor: "maxCost",
      limit: "cost",
      firstRefusedBy: "aliases",
    }),
    attack({
      name: "5,000 fields with a directive",
      query: `{ ${times(5000, () => `__typename @include(if: true)`)} }`,
      meantFor: "maxDirectives",
      limit: "directives",
      firstRefusedBy: "tokens",
    }),
    attack({
      name: "5,000 failing aliases",
      query: `{ ${times(5000, (i) => `f${i}: account(id: "00000000-0000-4000-8000-${String(i).padStart(12, "0")}") { id }`)} }`,
      meantFor: "maxAliases",
      limit: "aliases",
      firstRefusedBy: "tokens",
    }),
    attack({
      name: "1 MB of tokens",
      query: `{ ${"__typename ".repeat(90_000)}}`,
      meantFor: "maxTokens",
      limit: "tokens",
      firstRefusedBy: "tokens",
    }),
    attack({
      name: "a metadata variable nested 5,000 levels",
      query: `mutation($input: PaymentInput!) { createPayment(input: $input, idempotencyKey: "deep") { id } }`,
      variablesJson: `{"input":{"debitAccountId":"${clientId}","creditAccountId":"${clientId}","amount":"1.00","description":"deep","metadata":${nestedJson(5000)}}}`,
      meantFor: "maxVariableDepth",
      limit: "variableDepth",
      firstRefusedBy: "variableDepth",
    }),
    // Within every other limit: each of these is refused by the one named.
    attack({
      name: "a 4-hop fan-out (within the depth limit)",
      query: hops(4),
      meantFor: "maxCost",
      limit: "cost",
      firstRefusedBy: "cost",
    }),
    attack({
      name: "10 x transfers(first: 100) with their histories (within the alias limit)",
      query: `{ ${times(10, (i) => `t${i}: transfers(first: 100) { nodes { id statusHistory { sequence } } }`)} }`,
      meantFor: "maxCost",
      limit: "cost",
      firstRefusedBy: "cost",
    }),
    attack({
      name: "60 fields with a directive (within the token limit)",
      query: `{ ${times(60, () => `__typename @include(if: true)`)} }`,
      meantFor: "maxDirectives",
      limit: "directives",
      firstRefusedBy: "directives",
    }),
  ];
}
