/**
 * Queries and mutations called without type-graphql's promise per argument (decision 0045).
 * type-graphql's resolver of an operation validates each argument in an `async` function and
 * waits for them all (`Promise.all`), whatever the validation does: a list query with a filter,
 * a page size and a cursor paid for seven promises and their microtasks before its service
 * ran, on every request. An operation with no middleware and no `@Authorized` roles, whose
 * parameters are arguments, the context, the resolve info or custom parameters, is called here
 * the same way, in the same order: each argument converted to its class as type-graphql's own
 * conversion converts it (./arg-conversion.ts, its plan made once per class), then validated
 * by the schema's `validateFn` (synchronous while every rule is, common/validation.ts), and
 * the method called at once. Whatever fails is answered as a rejected promise, as
 * type-graphql's resolver answers it. Anything else keeps type-graphql's resolver.
 */
import path from "node:path";
import type { GraphQLFieldResolver } from "graphql";
import { type BuildSchemaOptions, getMetadataStorage } from "type-graphql";
import { convertArgsToInstance, convertArgToInstance } from "./arg-conversion";

type ResolverData = { root: unknown; args: Record<string, unknown>; context: unknown; info: unknown };
type ValidateFn = (value: unknown, type: unknown, data: ResolverData) => unknown;

interface Param {
  kind: string;
  index: number;
  propertyName?: string;
  getType?: () => unknown;
  validateFn?: ValidateFn;
  resolver?: (data: ResolverData) => unknown;
  options?: { arg?: unknown };
}

/** A resolver class (type-graphql's default container makes one instance of each, when first needed). */
type ResolverClass = new () => Record<string, (...values: unknown[]) => unknown>;

interface Operation {
  target: ResolverClass;
  methodName: string;
  schemaName: string;
  params?: Param[];
  roles?: unknown[];
  middlewares?: unknown[];
}

/** type-graphql's conversion of arguments to their classes: the module its own resolvers use. */
interface Conversion {
  convertArgToInstance(param: Param, args: Record<string, unknown>): unknown;
  convertArgsToInstance(param: Param, args: Record<string, unknown>): unknown;
}

/**
 * The module type-graphql's resolvers convert arguments with (not among its exports, so found
 * beside its entry point); undefined if it moved in another version, and then every operation
 * keeps type-graphql's resolver: ./arg-conversion.ts reproduces that module's conversion, and
 * is trusted only where the module it reproduces is still there.
 */
function typeGraphqlConversion(): Conversion | undefined {
  try {
    const file = path.join(path.dirname(require.resolve("type-graphql")), "resolvers", "convert-args.js");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const found = require(file) as Partial<Conversion>;
    return typeof found.convertArgToInstance === "function" &&
      typeof found.convertArgsToInstance === "function"
      ? (found as Conversion)
      : undefined;
  } catch {
    return undefined;
  }
}

/** ./arg-conversion.ts, where type-graphql's own conversion (the one it reproduces) is found. */
const conversion: Conversion | undefined = typeGraphqlConversion()
  ? { convertArgToInstance, convertArgsToInstance }
  : undefined;
const KINDS = new Set(["arg", "args", "context", "info", "custom"]);

/**
 * Replaces, in `resolvers` (type-graphql's `createResolversMap` of a schema built with
 * `options`), the resolver of each query and mutation of `options.resolvers` that can be
 * called without type-graphql's chain (see the module's comment).
 */
export function leanOperationResolvers(
  resolvers: Record<string, unknown>,
  options: Pick<BuildSchemaOptions, "resolvers" | "container" | "globalMiddlewares" | "authChecker">,
  validateFn: ValidateFn,
): void {
  if (!conversion || options.container || options.globalMiddlewares?.length) return;
  const classes = new Set(options.resolvers as unknown as ResolverClass[]);
  const storage = getMetadataStorage();
  // type-graphql's default container: one instance per class, made when first needed. Each class
  // has one getter, shared by its operations' resolvers, which keeps the instance it made.
  const instances = new Map<ResolverClass, () => InstanceType<ResolverClass>>();
  const instanceOf = (target: ResolverClass) => {
    let instance = instances.get(target);
    if (!instance) {
      let made: InstanceType<ResolverClass> | undefined;
      instances.set(target, (instance = () => (made ??= new target())));
    }
    return instance;
  };
  for (const [typeName, operations] of [
    ["Query", storage.queries],
    ["Mutation", storage.mutations],
  ] as unknown as [string, Operation[]][]) {
    const fields = resolvers[typeName] as Record<string, unknown> | undefined;
    if (!fields) continue;
    const ours = operations.filter((operation) => classes.has(operation.target));
    for (const operation of ours) {
      const twin = ours.some((other) => other !== operation && other.schemaName === operation.schemaName);
      if (twin || !callable(operation, options.authChecker !== undefined)) continue;
      fields[operation.schemaName] = leanResolver(
        operation,
        instanceOf(operation.target),
        validateFn,
        conversion,
      );
    }
  }
}

/** Whether type-graphql's resolver of `operation` does nothing {@link leanResolver} does not. */
function callable(operation: Operation, checksRoles: boolean): boolean {
  if (operation.middlewares?.length || (checksRoles && operation.roles)) return false;
  return (operation.params ?? []).every(
    (param) => KINDS.has(param.kind) && !(param.kind === "custom" && param.options?.arg),
  );
}

function leanResolver(
  operation: Operation,
  instance: () => InstanceType<ResolverClass>,
  validateFn: ValidateFn,
  { convertArgToInstance, convertArgsToInstance }: Conversion,
): GraphQLFieldResolver<unknown, unknown, Record<string, unknown>> {
  const params = [...(operation.params ?? [])].sort((a, b) => a.index - b.index);
  return (root, args, context, info) => {
    const data: ResolverData = { root, args, context, info };
    try {
      const target = instance();
      const values: unknown[] = [];
      let waiting = false;
      for (const param of params) {
        let value: unknown;
        if (param.kind === "arg" || param.kind === "args") {
          value =
            param.kind === "arg" ? convertArgToInstance(param, args) : convertArgsToInstance(param, args);
          const validated = (param.validateFn ?? validateFn)(value, param.getType!(), data);
          if (isPromiseLike(validated)) {
            const converted = value;
            value = validated.then(() => converted);
          }
        } else if (param.kind === "context") {
          value = param.propertyName ? (context as Record<string, unknown>)[param.propertyName] : context;
        } else if (param.kind === "info") {
          value = info;
        } else {
          value = param.resolver!(data);
        }
        waiting ||= isPromiseLike(value);
        values.push(value);
      }
      const method = target[operation.methodName];
      if (waiting) return Promise.all(values).then((resolved) => method.apply(target, resolved));
      return method.apply(target, values);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && typeof value === "object" && typeof (value as PromiseLike<unknown>).then === "function"
  );
}
