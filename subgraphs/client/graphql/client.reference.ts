import { byId } from "../../../common/graphql/references";
import type { ClientContext } from "../context";

export const clientReferenceResolvers = {
  Client: byId((id, ctx: ClientContext) => ctx.clients.get(id)),
};
