import type { GraphQLSchema } from "graphql";
import type { JsonSchema } from "./json-schema";
import type { RestRoute } from "./route";
import { clientComponentSchemas, clientRoutes } from "./routes/clients";
import { confirmationComponentSchemas, confirmationRoutes } from "./routes/confirmations";
import { ledgerComponentSchemas, ledgerRoutes } from "./routes/ledger";
import { recipientComponentSchemas, recipientRoutes } from "./routes/recipients";
import { transferComponentSchemas, transferRoutes } from "./routes/transfers";

/** The REST route table: every legacy path the shim serves (matched in this order). */
export const restRoutes: RestRoute[] = [
  ...clientRoutes,
  ...ledgerRoutes,
  ...recipientRoutes,
  ...transferRoutes,
  ...confirmationRoutes,
];

/** Named schemas the routes refer to (`#/components/schemas/<name>`). */
export function restComponentSchemas(schema: GraphQLSchema): Record<string, JsonSchema> {
  return {
    ...clientComponentSchemas(schema),
    ...ledgerComponentSchemas(schema),
    ...recipientComponentSchemas(schema),
    ...transferComponentSchemas(schema),
    ...confirmationComponentSchemas(schema),
  };
}
