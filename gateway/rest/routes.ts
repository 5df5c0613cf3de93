import type { GraphQLSchema } from "graphql";
import type { JsonSchema } from "./json-schema";
import type { RestRoute } from "./route";
import { clientComponentSchemas, clientRoutes } from "./routes/clients";

/** The REST route table: every legacy path the shim serves. */
export const restRoutes: RestRoute[] = [...clientRoutes];

/** Named schemas the routes refer to (`#/components/schemas/<name>`). */
export function restComponentSchemas(schema: GraphQLSchema): Record<string, JsonSchema> {
  return { ...clientComponentSchemas(schema) };
}
