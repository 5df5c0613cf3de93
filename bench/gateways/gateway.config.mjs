// Hive Gateway for `npm run bench:gateways` (run with `hive-gateway supergraph <file> -c <this>`).
// As shipped, plus what a federated API needs to work (the caller's Authorization header goes on
// to the subgraphs) and with the subgraph request deduplication off: our gateway and the stock
// one send every request, so Hive does too.
export const gatewayConfig = {
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get("authorization") ?? "" }),
  },
  transportEntries: { "*": { options: { deduplicateInflightRequests: false } } },
  logging: "warn",
};
