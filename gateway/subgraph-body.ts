/**
 * The body of a call to a subgraph: `JSON.stringify({ query, operationName, variables, extensions })`,
 * byte for byte, with the query's JSON remembered. The query planner sends the same few operation
 * texts again and again (one per fetch of a plan, the same string each time), and escaping a text of
 * a few hundred characters was the larger part of building each body (decision 0066).
 */
import type { GatewayGraphQLRequest } from "@apollo/server-gateway-interface";

/** Texts whose JSON is kept; past this many, the memory starts again (a flood of distinct operations). */
const REMEMBERED = 1_000;

const encoded = new Map<string, string>();

/** The JSON of `query`, remembered. */
function queryJson(query: string): string {
  let json = encoded.get(query);
  if (json === undefined) {
    if (encoded.size >= REMEMBERED) encoded.clear();
    json = JSON.stringify(query);
    encoded.set(query, json);
  }
  return json;
}

/** What `JSON.stringify({ query, operationName, variables, extensions })` writes. */
export function subgraphBody({ query, operationName, variables, extensions }: GatewayGraphQLRequest): string {
  if (typeof query !== "string") return JSON.stringify({ query, operationName, variables, extensions });
  let body = `{"query":${queryJson(query)}`;
  if (operationName !== undefined) body += `,"operationName":${JSON.stringify(operationName)}`;
  if (variables !== undefined) body += `,"variables":${JSON.stringify(variables)}`;
  if (extensions !== undefined) body += `,"extensions":${JSON.stringify(extensions)}`;
  return `${body}}`;
}
