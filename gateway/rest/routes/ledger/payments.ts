/**
 * GeneralLedger payment routes of DESIGN.md section 7 (system callers): the five payment
 * operations, each once per `Idempotency-Key` (decision 0020).
 */
import type { GraphQLSchema } from "graphql";
import type { RestRoute } from "../../route";
import { dtoOf, fragmentDto, idempotencyKeyHeader } from "../shared";

const PAYMENT_FIELDS = `id status debitAccountId creditAccountId amount currency description metadata idempotencyKey
  createdAt updatedAt`;
const PAYMENT_DTO_FRAGMENT = `fragment PaymentDto on Payment { ${PAYMENT_FIELDS} }`;
const PAYMENT_DTO = fragmentDto(PAYMENT_DTO_FRAGMENT);
const PAYMENT_BATCH_DTO = fragmentDto(`fragment PaymentBatchDto on PaymentBatch {
  succeeded failed items { index payment { ${PAYMENT_FIELDS} } error { code message field rule } }
}`);

export const paymentComponentSchemas = (schema: GraphQLSchema) => ({
  ...PAYMENT_DTO.component(schema),
  ...PAYMENT_BATCH_DTO.component(schema),
});

/** A payment mutation behind `path`: the body (if any) is `$input`, the key `$idempotencyKey`. */
function paymentRoute(path: string, mutation: string, summary: string): RestRoute {
  const create = !path.includes("{paymentId}");
  const name = `${mutation[0].toUpperCase()}${mutation.slice(1)}`;
  const [declared, passed] = create ? ["$input: PaymentInput!", "input: $input"] : ["$id: ID!", "id: $id"];
  return {
    method: "post",
    path,
    summary,
    tag: "GeneralLedger - Payments",
    auth: "system",
    input: {
      ...(create ? { body: "input" } : { params: { paymentId: "id" } }),
      headers: idempotencyKeyHeader("payment"),
    },
    operation: `mutation ${name}(${declared}, $idempotencyKey: String!) {
      ${mutation}(${passed}, idempotencyKey: $idempotencyKey) { ...PaymentDto }
    } ${PAYMENT_DTO_FRAGMENT}`,
    result: dtoOf(mutation, PAYMENT_DTO),
    resultSchema: () => PAYMENT_DTO.ref,
  };
}

/** Many immediate payments in one request and one database transaction, each with its own key and result (decision 0033). */
const batchRoute: RestRoute = {
  method: "post",
  path: "/internal/Payments/batch",
  summary:
    "Creates up to 100 payments at once (posted), in the given order, in one database transaction; body `{payments: [{debitAccountId, creditAccountId, amount, description, metadata, idempotencyKey}], allOrNothing}`. Answers one item per payment: `payment`, or `error` with the code it would have had alone. `allOrNothing: true`: if any is refused, none is made (the others answer BATCH_NOT_APPLIED).",
  tag: "GeneralLedger - Payments",
  auth: "system",
  input: { body: { payments: "payments", allOrNothing: "allOrNothing" } },
  operation: `mutation CreatePayments($payments: [PaymentBatchInput!]!, $allOrNothing: Boolean) {
    createPayments(payments: $payments, allOrNothing: $allOrNothing) { ...PaymentBatchDto }
  } ${PAYMENT_BATCH_DTO.fragment}`,
  result: dtoOf("createPayments", PAYMENT_BATCH_DTO),
  resultSchema: () => PAYMENT_BATCH_DTO.ref,
};

export const paymentRoutes: RestRoute[] = [
  batchRoute,
  paymentRoute(
    "/internal/Payments",
    "createPayment",
    "Creates payment with single transaction and transfers money between accounts (posted at once); body `{debitAccountId, creditAccountId, amount, description, metadata}`",
  ),
  paymentRoute(
    "/internal/Payments/draft",
    "createDraftPayment",
    "Creates payment in Draft state without any money transfers; same body as `/internal/Payments`",
  ),
  paymentRoute(
    "/internal/Payments/{paymentId}/pend",
    "pendPayment",
    "Pends payment and holds funds in case of withdrawals (draft -> pending; 409 INSUFFICIENT_FUNDS)",
  ),
  paymentRoute(
    "/internal/Payments/{paymentId}/post",
    "postPayment",
    "Posts payment, withdraws held funds and deposits it to corresponding account (pending -> posted)",
  ),
  paymentRoute(
    "/internal/Payments/{paymentId}/cancel",
    "cancelPayment",
    "Cancels payment and performs payback in case of held (draft or pending -> cancelled)",
  ),
];
