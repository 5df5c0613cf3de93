/**
 * `node dist/bench/gateways/stock.js <supergraph file> <port>`: a stock `@apollo/gateway` in
 * `@apollo/server`'s standalone server, for `npm run bench:gateways`. Nothing is added but what
 * a federated API needs to work at all: the caller's `Authorization` header goes on to the
 * subgraphs (`willSendRequest`, the documented way). Its default fetcher (make-fetch-happen),
 * its default plugins (usage reporting off without an Apollo key), no limits, no metrics.
 */
import "../../common/heap-flags"; // the services' V8 setting, as every server a bench compares
import fs from "node:fs";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

interface Context {
  authorization?: string;
}

async function main(): Promise<void> {
  const [supergraphFile, port] = process.argv.slice(2);
  process.env.APOLLO_TELEMETRY_DISABLED = "true";
  const gateway = new ApolloGateway({
    supergraphSdl: fs.readFileSync(supergraphFile, "utf8"),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<Context>({
        url,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set("authorization", context.authorization);
        },
      }),
  });
  const server = new ApolloServer<Context>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: Number(port), host: "127.0.0.1" },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  process.stdout.write(`stock gateway at ${url}\n`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
