/**
 * The floor under a subgraph's list in `bench/lists.ts`: Apollo Server as shipped
 * (`startStandaloneServer`) over a schema built by `buildSubgraphSchema` from a few lines of SDL,
 * with resolvers that run the minimal server's SQL (bench/list-rows.ts): the same token check,
 * rows and JSON, byte for byte. No type-graphql, TypeORM, limits, metrics or request scope: what
 * Apollo Server and graphql-js alone cost over `bench/minimal-list-server.ts`.
 *
 * `node dist/bench/apollo-list-server.js` with DATABASE_URL and PORT; prints `listening <port>`.
 */
import "../common/heap-flags"; // the services' V8 setting, as every server a bench compares
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { GraphQLError, parse } from "graphql";
import { listPage, pool, tokenRefusal } from "./list-rows";

const typeDefs = parse(`
  type Query {
    clients(first: Int, filter: ClientFilterInput): ClientPage
    transfers(first: Int, filter: TransferFilterInput): TransferPage
    accounts(first: Int, filter: AccountFilterInput): AccountPage
  }
  input ClientFilterInput { status: String type: String riskLevel: String search: String }
  input TransferFilterInput { status: String kind: String clientId: ID accountId: ID from: String to: String minAmount: String }
  input AccountFilterInput { clientId: ID currency: String status: String }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type Client { id: ID! type: String! status: String! riskLevel: String! phoneNumber: String email: String firstName: String lastName: String created: String! }
  type Transfer { id: ID! kind: String! status: String! amount: String! currency: String! reference: String createdAt: String! }
  type Account { id: ID! number: String! currency: String! name: String status: String! createdAt: String! }
  type ClientPage { nodes: [Client!]! pageInfo: PageInfo! }
  type TransferPage { nodes: [Transfer!]! pageInfo: PageInfo! }
  type AccountPage { nodes: [Account!]! pageInfo: PageInfo! }
`);

const page = (name: string) => (_root: unknown, args: { first?: number | null }) =>
  listPage(name, args.first ?? 20);

const apollo = new ApolloServer({
  schema: buildSubgraphSchema({
    typeDefs,
    resolvers: {
      Query: { clients: page("Clients"), transfers: page("Transfers"), accounts: page("Accounts") },
    },
  }),
});

async function main() {
  const { url } = await startStandaloneServer(apollo, {
    listen: { port: Number(process.env.PORT ?? 0), host: "127.0.0.1" },
    context: async ({ req }) => {
      const refusal = await tokenRefusal(req.headers.authorization);
      if (refusal)
        throw new GraphQLError(refusal, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
      return {};
    },
  });
  process.stdout.write(`listening ${new URL(url).port}\n`);
}

process.on("SIGTERM", () => {
  void apollo
    .stop()
    .then(() => pool.end())
    .then(() => process.exit(0));
});
main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
