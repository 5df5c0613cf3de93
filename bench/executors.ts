/**
 * `node dist/bench/executors.js [--rounds N] [--requests N] [--callers N]`
 *
 * What the direct path's executor costs (decision 0044), measured in one process so that both
 * executors see the same machine: the client subgraph's schema, services and loaders over a fresh
 * database (core_banking_bench_executors_<ts>, 1,000 clients, dropped at the end), and the
 * bench:lists `clients(first: 20)` operation run by graphql-js's `execute` (`graphqlEngine`) and by
 * the compiled engine (`compiledEngine`), in alternating blocks of `--requests` with `--callers`
 * concurrent, each request with a context of its own and its answer serialised. The figure is this
 * process's CPU per request (`process.cpuUsage`), SQL round trips included (the same for both): no
 * HTTP, no Apollo Server, so the difference is the executor's alone.
 */
import "reflect-metadata";
import { getOperationAST, parse } from "graphql";
import { Client } from "pg";
import { Registry } from "prom-client";
import { compiledEngine } from "../common/graphql/compiled-engine";
import { type DirectEngine, type DirectRequest, graphqlEngine } from "../common/graphql/direct-execution";
import { createDataSource, migrate } from "../common/db/data-source";
import { ClientService } from "../subgraphs/client/client.service";
import { CLIENT_SCHEMA, clientEntities, clientMigrations } from "../subgraphs/client/persistence";
import { ClientRepository } from "../subgraphs/client/persistence/client.repository";
import { createClientLoaders } from "../subgraphs/client/persistence/loaders";
import { buildClientSchema } from "../subgraphs/client/schema";
import { benchDatabase, median, option } from "./support";

const ROUNDS = Number(option("--rounds", "6"));
const REQUESTS = Number(option("--requests", "2000"));
const CALLERS = Number(option("--callers", "16"));

const QUERY =
  "query Clients($first: Int, $filter: ClientFilterInput) { clients(first: $first, filter: $filter) { nodes { id type status riskLevel phoneNumber email firstName lastName created } pageInfo { hasNextPage endCursor } } }";

const SEED = `
  INSERT INTO client.client (id, type, status, risk_level, address_street_line1, address_city, address_zip,
                             address_country, phone_number, email, first_name, last_name, date_of_birth, created_at)
  SELECT md5('client' || n)::uuid, 'individual', (ARRAY['active', 'inactive', 'blocked'])[1 + n % 3],
         (ARRAY['low', 'medium', 'high', 'prohibited'])[1 + n % 4], 'Main Street 1', 'Berlin', '10115', 'DE',
         '+4930123456', 'client' || n || '@example.com', 'First' || n, 'Last' || n, date '1980-01-01',
         timestamptz '2024-01-01 00:00:00+00' + n * interval '1 second'
    FROM generate_series(1, 1000) AS n`;

async function main(): Promise<void> {
  const database = await benchDatabase("core_banking_bench_executors");
  const { dataSource } = createDataSource({
    schema: CLIENT_SCHEMA,
    entities: clientEntities,
    migrations: clientMigrations,
    url: database.url,
    poolSize: 10,
  });
  try {
    await dataSource.initialize();
    await migrate(dataSource, CLIENT_SCHEMA);
    const db = new Client({ connectionString: database.url });
    await db.connect();
    await db.query(SEED);
    await db.query("VACUUM (ANALYZE) client.client");
    await db.end();
    const schema = await buildClientSchema();
    const repository = new ClientRepository(dataSource);
    const caller = { kind: "system" as const, subject: "bench" };
    const contextOf = (requestId: string) => ({
      caller,
      requestId,
      clients: new ClientService(repository, createClientLoaders(repository), caller, requestId),
    });
    const document = parse(QUERY);
    const request: DirectRequest = {
      query: QUERY,
      document,
      operation: getOperationAST(document, "Clients")!,
      operationName: "Clients",
      variables: { first: 20, filter: {} },
    };
    const engines: Record<string, DirectEngine> = {
      "graphql-js": graphqlEngine(schema),
      compiled: compiledEngine(schema, new Registry()),
    };
    const bodies = new Set<string>();
    const block = async (engine: DirectEngine, requests: number) => {
      let next = 0;
      const caller = async () => {
        while (next < requests) {
          next++;
          const result = await engine.execute(request, contextOf(`bench-${next}`));
          if (!result || result.errors)
            throw new Error(JSON.stringify(result?.errors ?? "variables refused"));
          const body = JSON.stringify(result);
          if (bodies.size < 3) bodies.add(body);
        }
      };
      const started = process.cpuUsage();
      await Promise.all(Array.from({ length: CALLERS }, caller));
      const used = process.cpuUsage(started);
      return (used.user + used.system) / 1000 / requests;
    };
    for (const engine of Object.values(engines)) await block(engine, 500); // warm-up, and compiles
    if (bodies.size !== 1) throw new Error("the executors answered differently");
    const figures: Record<string, number[]> = { "graphql-js": [], compiled: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const names = round % 2 ? ["compiled", "graphql-js"] : ["graphql-js", "compiled"];
      for (const name of names) figures[name].push(await block(engines[name], REQUESTS));
    }
    const js = median(figures["graphql-js"]);
    const compiled = median(figures.compiled);
    console.table(
      Object.entries(figures).map(([name, values]) => ({
        executor: name,
        cpuMsPerRequest: Number(median(values).toFixed(3)),
        rounds: values.map((value) => value.toFixed(3)).join(" "),
      })),
    );
    console.log(
      `compiled / graphql-js: ${(compiled / js).toFixed(3)}; saved ${(js - compiled).toFixed(3)} ms per request`,
    );
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
