/**
 * Binds a request's path parameters, query, headers and body to the operation's variables, as
 * the route's {@link RouteInput} declares. Each value is checked and converted by the GraphQL
 * type of the variable it fills, one rule per type: an `ID` must be a UUID (documented
 * `string <uuid>`; a malformed id is the caller's mistake, not an id that names nothing), a query
 * parameter typed `Int` or `Boolean` is read from its text, a non-null header is required. Each
 * step answers the first problems it finds, naming their REST fields, before anything runs.
 */
import { uuidProblem } from "../../common/require-uuids";
import {
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
} from "graphql";
import { type FieldError, validationError } from "../../common/errors";
import { isUuid } from "../../common/ids";
import type { RestError } from "./responses";
import type { RouteInput } from "./route";
import { checkVariables, restVariables } from "./convert";
import { argumentVariables, variableType } from "./operation";

/** The parts of a request a route may read. */
export interface RequestInput {
  params: Record<string, string>;
  query: Record<string, unknown>;
  header(name: string): string | undefined;
  body: unknown;
}

type Types = ReadonlyMap<string, GraphQLInputType>;
type Variables = Record<string, unknown>;
/** One binding step: fills `variables` from the request, or answers the problems it found. */
type Step = (
  input: RouteInput,
  request: RequestInput,
  types: Types,
  variables: Variables,
) => RestError | undefined;

const STEPS: Step[] = [bindParameters, bindHeaders, bindBodyShape, bindBody];

/** The route's variables from the request, or the first step's problems (400 VALIDATION_FAILED). */
export function bindInput(
  input: RouteInput,
  request: RequestInput,
  types: Types,
): { variables: Variables } | { error: RestError } {
  const variables: Variables = {};
  for (const step of STEPS) {
    const error = step(input, request, types, variables);
    if (error) return { error };
  }
  return { variables };
}

function invalid(message: string, fields: FieldError[]): RestError | undefined {
  return fields.length ? { code: "VALIDATION_FAILED", message, fields } : undefined;
}

/** Path and query parameters. */
function bindParameters(input: RouteInput, request: RequestInput, types: Types, variables: Variables) {
  const problems: FieldError[] = [];
  for (const [name, binding] of Object.entries(input.params ?? {})) {
    const value = request.params[name];
    if (typeof binding === "string") {
      problems.push(...idProblems(value, variableType(types, binding), name));
      variables[binding] = value;
      continue;
    }
    const parsed = binding.variables(value);
    if (parsed) Object.assign(variables, parsed);
    else problems.push({ field: name, rule: binding.rule, message: binding.message });
  }
  for (const [name, { variable }] of Object.entries(input.query ?? {})) {
    const value = request.query[name];
    if (value === undefined) continue;
    const type = variableType(types, variable);
    problems.push(...idProblems(value, type, name));
    variables[variable] = fromQueryText(value, type);
  }
  return invalid("Invalid parameter", problems);
}

/**
 * A query value as the number or boolean its variable's type wants when it reads as one; anything
 * else stays the text it is, so the variable check refuses it as the wrong type, naming it.
 */
function fromQueryText(value: unknown, type: GraphQLInputType): unknown {
  if (typeof value !== "string") return value;
  const named = getNamedType(type).name;
  if (named === "Int" && /^-?\d+$/.test(value)) return Number(value);
  if (named === "Boolean" && (value === "true" || value === "false")) return value === "true";
  return value;
}

/** Declared headers; an empty one counts as missing. */
function bindHeaders(input: RouteInput, request: RequestInput, types: Types, variables: Variables) {
  const problems: FieldError[] = [];
  for (const [name, { variable }] of Object.entries(input.headers ?? {})) {
    const value = request.header(name) || undefined;
    const type = variableType(types, variable);
    if (value === undefined && isNonNullType(type)) {
      problems.push({ field: name, rule: "required", message: `The ${name} header is required` });
    }
    problems.push(...idProblems(value, type, name));
    variables[variable] = value;
  }
  return invalid("Missing header", problems);
}

/** A route that reads a body wants a JSON object, and only the fields it binds. */
function bindBodyShape(input: RouteInput, request: RequestInput): RestError | undefined {
  const { body } = request;
  if (input.body === undefined || body === undefined) return undefined;
  if (!isObject(body)) {
    const message = "The body must be a JSON object";
    return { code: "VALIDATION_FAILED", message, fields: [{ field: "body", rule: "type", message }] };
  }
  if (typeof input.body === "string") return undefined;
  const known = input.body;
  const unknown = Object.keys(body)
    .filter((field) => !Object.hasOwn(known, field))
    .map((field) => ({ field, rule: "unknownField", message: `${field} is not a field of this request` }));
  return invalid("Invalid input", unknown);
}

/** The body as one variable, or its fields each as a variable. */
function bindBody(input: RouteInput, request: RequestInput, types: Types, variables: Variables) {
  if (input.body === undefined) return undefined;
  const body = request.body as Record<string, unknown> | undefined;
  const bindings: Array<[string, string]> =
    typeof input.body === "string" ? [["", input.body]] : Object.entries(input.body);
  const problems: FieldError[] = [];
  for (const [field, variable] of bindings) {
    const value = field ? body?.[field] : body;
    problems.push(...idProblems(value, variableType(types, variable), field));
    variables[variable] = value;
  }
  return invalid(validationError(problems).message, problems);
}

/**
 * The bound variables in GraphQL spellings, checked against their types. Problems inside a
 * whole-body variable are named by their place in the body (`address.city`, not `input.address.city`).
 */
export function checkInput(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  input: RouteInput,
  bound: Variables,
): { variables: Variables } | { error: RestError } {
  const variables = restVariables(schema, operation, bound);
  const { body } = input;
  const problems = checkVariables(schema, operation, variables, typeof body === "string" ? [body] : []);
  if (problems.length)
    return { error: { code: "VALIDATION_FAILED", message: "Invalid input", fields: problems } };
  return { variables };
}

/**
 * Subgraphs name a problem by the argument path of the root field (`idempotencyKey`, `id`,
 * `input.amount`); REST names it by the input bound to that argument's variable
 * (`Idempotency-Key`, `transferId`, `amount`: a whole-body variable's fields are top-level).
 */
export function restFieldNamer(
  input: RouteInput,
  operation: OperationDefinitionNode,
): (field: string) => string {
  const restNames = new Map<string, string>();
  for (const [name, binding] of Object.entries(input.params ?? {})) {
    if (typeof binding === "string") restNames.set(binding, name);
  }
  for (const [name, { variable }] of Object.entries({ ...input.query, ...input.headers })) {
    restNames.set(variable, name);
  }
  const { body } = input;
  if (typeof body === "string") restNames.set(body, "");
  else for (const [name, variable] of Object.entries(body ?? {})) restNames.set(variable, name);

  const byArgument = new Map<string, string>();
  for (const [argument, variable] of argumentVariables(operation)) {
    const rest = restNames.get(variable);
    if (rest !== undefined) byArgument.set(argument, rest);
  }
  return (field) => {
    const [head, ...path] = field.split(".");
    const rest = byArgument.get(head);
    if (rest === undefined || (rest === "" && path.length === 0)) return field;
    return [...(rest ? [rest] : []), ...path].join(".");
  };
}

/**
 * Every value `type` calls an `ID` inside `value` that is not a UUID, named by its REST path
 * (`accountId`, `filter.clientId`, `accountIds.1`). Absent and null values are left to the type.
 */
export function idProblems(value: unknown, type: GraphQLInputType, field: string): FieldError[] {
  if (value === undefined || value === null) return [];
  if (isNonNullType(type)) return idProblems(value, type.ofType, field);
  if (isListType(type)) {
    if (!Array.isArray(value)) return idProblems(value, type.ofType, field);
    return value.flatMap((item, index) => idProblems(item, type.ofType, join(field, String(index))));
  }
  if (isInputObjectType(type)) {
    if (!isObject(value)) return [];
    return Object.values(type.getFields()).flatMap((inner) =>
      idProblems(value[inner.name], inner.type, join(field, inner.name)),
    );
  }
  if (type.name !== "ID" || isUuid(value)) return [];
  return [uuidProblem(field)];
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
