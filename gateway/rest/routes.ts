import type { RestRoute } from "./route";
import { clientRoutes } from "./routes/clients";

/** The REST route table: every legacy path the shim serves. */
export const restRoutes: RestRoute[] = [...clientRoutes];
