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
