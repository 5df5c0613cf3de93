import type { MiddlewareFn } from "type-graphql";
import { requireSystem } from "../auth/caller";
import type { RequestContext } from "./context";

/**
 * Field middleware for data a front-office caller must not see even on its own record
 * (risk and compliance assessments: telling a customer would be tipping-off). The field
 * must be nullable, so a refusal nulls the field, not the whole object.
 */
export const SystemOnly: MiddlewareFn<RequestContext> = ({ context }, next) => {
  requireSystem(context.caller);
  return next();
};

/**
 * Whether a field middleware is {@link SystemOnly}: the schema builder replaces it with the same
 * check, run at once (common/graphql/build-subgraph-schema.ts). By name and source rather than
 * identity: type-graphql's metadata is global, and a module loaded twice (jest's registries) has
 * two copies of the function.
 */
export function isSystemOnly(middleware: unknown): boolean {
  return (
    middleware === SystemOnly ||
    (typeof middleware === "function" &&
      middleware.name === SystemOnly.name &&
      String(middleware) === String(SystemOnly))
  );
}
