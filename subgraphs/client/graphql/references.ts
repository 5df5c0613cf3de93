import { byCanonicalId } from "../../../common/graphql/canonical-ids";
import type { ClientContext } from "../context";

export const clientReferenceResolvers = {
  Client: byCanonicalId((id, ctx: ClientContext) => ctx.clients.get(id)),
};
