/**
 * What the TransferOrchestrator transfer routes share: the TransferDto, and the three shapes most
 * of them take (a list of a kind, one transfer of a kind, an action on one transfer). A path that
 * names a kind (`/Transfers/outgoing/{transferId}`) answers 404 TRANSFER_NOT_FOUND for a transfer
 * of another kind.
 */
import type { RestRoute } from "../../route";
import { type ActionRoute, actionRoute, fragmentDto, listRoute } from "../shared";

export const TRANSFER_DTO_FRAGMENT = `
fragment TransferDto on Transfer {
  id kind type status clientId accountId counterAccountId recipientId counterpartyName counterpartyIban
  accountNumber railReference amount currency reference paymentId failureCode lastError idempotencyKey
  createdAt updatedAt
  confirmation { id status attemptsLeft expiresAt }
  fx { sourceAmount sourceCurrency targetAmount targetCurrency rate quoteId }
  statusHistory { sequence from to reason changedBy changedAt }
}`;
export const TRANSFER_DTO = fragmentDto(TRANSFER_DTO_FRAGMENT);
export const TAG = "TransferOrchestrator - Transfers";

/** The path segment that names a kind -> its GraphQL `TransferKind`. */
const KINDS = {
  internal: "INTERNAL",
  outgoing: "OUTGOING",
  incoming: "INCOMING",
  "foreign-exchange": "FX",
} as const;
type KindSegment = keyof typeof KINDS;

interface KindRoute extends Pick<RestRoute, "path" | "summary" | "auth"> {
  /** The kind the path names; none: any kind. */
  kind?: KindSegment;
  /** The operation's name (its OpenAPI operationId). */
  name: string;
}

/** `transfers` behind a path: all kinds (`kind` is then a query parameter), or the path's kind. */
export function kindListRoute(route: KindRoute): RestRoute {
  const { kind } = route;
  return listRoute({
    ...route,
    tag: TAG,
    field: "transfers",
    filter: {
      ...(kind ? {} : { kind: { type: "TransferKind", description: "internal, outgoing, incoming or fx" } }),
      status: {
        type: "TransferStatus",
        description: "A status of the kind's state table, e.g. pendingConfirmation, processing, completed",
      },
      clientId: { type: "ID", description: "The client" },
      accountId: { type: "ID", description: "Debited or credited account" },
    },
    fixed: kind ? { kind: KINDS[kind] } : {},
    items: TRANSFER_DTO,
  });
}

/** `transfer(id)` behind a path; with a kind, a transfer of another kind is not found there. */
export function kindReadRoute(route: KindRoute): RestRoute {
  return {
    method: "get",
    path: route.path,
    summary: route.summary,
    tag: TAG,
    auth: route.auth,
    input: { params: { transferId: "id" } },
    operation: `query ${route.name}($id: ID!) { transfer(id: $id) { ...TransferDto } } ${TRANSFER_DTO_FRAGMENT}`,
    result: (data, schema) => {
      const transfer = data.transfer as { kind: string } | null;
      if (!transfer || (route.kind && transfer.kind !== KINDS[route.kind])) return undefined;
      return TRANSFER_DTO.toRest(transfer, schema);
    },
    resultSchema: () => TRANSFER_DTO.ref,
    notFoundCode: "TRANSFER_NOT_FOUND",
  };
}

/** {@link actionRoute} on a transfer (by default `{transferId}`), answering the transfer. */
export function transferActionRoute(
  route: Omit<ActionRoute, "tag" | "param" | "answer"> & Partial<Pick<ActionRoute, "tag" | "param">>,
): RestRoute {
  return actionRoute({ tag: TAG, param: "transferId", answer: TRANSFER_DTO, ...route });
}

export const transferComponentSchemas = TRANSFER_DTO.component;
