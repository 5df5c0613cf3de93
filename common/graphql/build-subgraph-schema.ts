import { buildSubgraphSchema } from "@apollo/subgraph";
import { createPubSub } from "@graphql-yoga/subscription";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import { type GraphQLSchema, parse } from "graphql";
import { type BuildSchemaOptions, buildSchema, createResolversMap, getMetadataStorage } from "type-graphql";
import { requireSystem } from "../auth/caller";
import { validateInput } from "../validation";
import type { RequestContext } from "./context";
import { leanOperationResolvers } from "./lean-resolvers";
import { isSystemOnly } from "./system-only";

const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@provides"])`;

/**
 * Builds a federation-2 subgraph schema from type-graphql resolvers:
 * type-graphql schema -> SDL with directives (graphql's own printer drops `@key`) ->
 * `buildSubgraphSchema`, with the entities' `__resolveReference` merged in. A subgraph with
 * subscriptions is served over graphql-ws by `serveSubgraph`.
 */
export async function buildFederatedSchema(
  options: Omit<BuildSchemaOptions, "skipCheck" | "validate" | "validateFn">,
  referenceResolvers: GraphQLResolverMap<unknown> = {},
): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    // type-graphql insists on one for a schema with subscriptions; ours bring their own source (`subscribe`).
    pubSub: createPubSub(),
    ...options,
    skipCheck: true,
    validateFn: validateInput,
  });
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  withoutPlainFieldResolvers(resolvers);
  leanOperationResolvers(resolvers, options, validateInput);
  for (const [typeName, extra] of Object.entries(referenceResolvers)) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), ...(extra as object) };
  }
  return sdlForSystemCallers(
    buildSubgraphSchema({
      typeDefs: parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(schema)}`),
      resolvers,
    }),
  );
}

/**
 * type-graphql gives every field a resolver of its own, even a field that only reads a property: a
 * closure call and an object per field of every row, and a promise per field behind a middleware
 * (its middleware chain is async), which makes graphql-js wait on every row (decision 0032). A
 * field with no argument, role or field resolver, and no middleware but `SystemOnly`, reads its
 * property without them: graphql-js's default resolver where the property has the field's name,
 * else a plain read, with the `SystemOnly` check first where the field has it (same error, thrown
 * at once rather than rejected: graphql-js handles both alike).
 */
function withoutPlainFieldResolvers(resolvers: GraphQLResolverMap<unknown>): void {
  // The metadata is global: several subgraphs (one process) may each have a class of one type
  // name (`Client`). A field keeps its resolver unless every class of that name reads it alike.
  const storage = getMetadataStorage();
  const nameOf = new Map<unknown, string>(storage.objectTypes.map((type) => [type.target, type.name]));
  const kept = new Set(
    storage.fieldResolvers.map(
      (resolver) => `${nameOf.get(resolver.getObjectType?.())}.${resolver.schemaName}`,
    ),
  );
  const reads = new Map<string, { property: string; systemOnly: boolean }>();
  for (const type of storage.objectTypes) {
    for (const field of type.fields ?? []) {
      const key = `${type.name}.${field.schemaName}`;
      const middlewares = field.middlewares ?? [];
      const read = { property: field.name, systemOnly: middlewares.length > 0 };
      const known = reads.get(key);
      const simple =
        !field.roles?.length &&
        !field.params?.length &&
        middlewares.every(isSystemOnly) &&
        (!known || (known.property === read.property && known.systemOnly === read.systemOnly));
      if (simple) reads.set(key, read);
      else kept.add(key);
    }
  }
  for (const [key, { property, systemOnly }] of reads) {
    if (kept.has(key)) continue;
    const [typeName, fieldName] = key.split(".");
    const fields = resolvers[typeName] as Record<string, unknown> | undefined;
    if (!fields) continue;
    if (systemOnly) {
      fields[fieldName] = (source: Record<string, unknown>, _args: unknown, context: RequestContext) => {
        requireSystem(context.caller);
        return source[property];
      };
    } else if (property === fieldName) delete fields[fieldName];
    else fields[fieldName] = (source: Record<string, unknown>) => source[property];
  }
}

/**
 * `_service { sdl }` hands out the subgraph's whole schema, internal fields and descriptions
 * included: only system callers get it (FORBIDDEN otherwise). Nothing of ours needs it at run
 * time: the gateway loads the committed supergraph, and `npm run compose` prints the schema
 * from code.
 */
function sdlForSystemCallers(schema: GraphQLSchema): GraphQLSchema {
  const service = schema.getQueryType()?.getFields()._service;
  const resolve = service?.resolve;
  if (!service || !resolve) throw new Error("buildSubgraphSchema resolves Query._service itself");
  service.resolve = (source, args, context: RequestContext, info) => {
    requireSystem(context.caller);
    return resolve(source, args, context, info);
  };
  return schema;
}
