import type { GraphQLSchema } from "graphql";
import type { JsonSchema } from "./json-schema";
import { type Style, styleOf } from "./responses";
import type { RestRoute } from "./route";
import { clientComponentSchemas, clientRoutes } from "./routes/clients";
import { confirmationComponentSchemas, confirmationRoutes } from "./routes/confirmations";
import { accountOtpComponentSchemas, accountOtpRoutes } from "./routes/ledger/account-otp";
import { documentComponentSchemas, documentRoutes } from "./routes/documents";
import { accountComponentSchemas, accountRoutes, currencyRoutes } from "./routes/ledger/accounts";
import { dayComponentSchemas, dayRoutes } from "./routes/ledger/days";
import { paymentComponentSchemas, paymentRoutes } from "./routes/ledger/payments";
import { reportComponentSchemas, reportRoutes } from "./routes/ledger/reports";
import { transactionComponentSchemas, transactionRoutes } from "./routes/ledger/transactions";
import { recipientComponentSchemas, recipientRoutes } from "./routes/recipients";
import { fxComponentSchemas, fxTransferRoutes } from "./routes/transfers/fx";
import { generalTransferRoutes } from "./routes/transfers/general";
import { incomingTransferRoutes } from "./routes/transfers/incoming";
import { transferComponentSchemas } from "./routes/transfers/kit";
import { outgoingTransferRoutes } from "./routes/transfers/outgoing";

/** A route of the table with the answer style its path implies (`/internal...`: the envelope). */
export type TableRoute = RestRoute & { readonly style: Style };

/** The REST route table: every legacy path the shim serves (matched in this order). */
export const restRoutes: TableRoute[] = [
  ...clientRoutes,
  // Before `/Accounts/{id}`'s siblings: the fixed paths are matched first.
  ...accountOtpRoutes,
  ...accountRoutes,
  ...transactionRoutes,
  ...currencyRoutes,
  ...paymentRoutes,
  ...dayRoutes,
  ...reportRoutes,
  ...recipientRoutes,
  ...generalTransferRoutes,
  ...outgoingTransferRoutes,
  ...incomingTransferRoutes,
  ...fxTransferRoutes,
  ...confirmationRoutes,
  ...documentRoutes,
].map((route) => ({ ...route, style: styleOf(route.path) }));

/** Named schemas the routes refer to (`#/components/schemas/<name>`). */
export function restComponentSchemas(schema: GraphQLSchema): Record<string, JsonSchema> {
  return {
    ...clientComponentSchemas(schema),
    ...accountComponentSchemas(schema),
    ...accountOtpComponentSchemas(schema),
    ...reportComponentSchemas(schema),
    ...transactionComponentSchemas(schema),
    ...paymentComponentSchemas(schema),
    ...dayComponentSchemas(schema),
    ...recipientComponentSchemas(schema),
    ...transferComponentSchemas(schema),
    ...fxComponentSchemas(schema),
    ...confirmationComponentSchemas(schema),
    ...documentComponentSchemas(schema),
  };
}
