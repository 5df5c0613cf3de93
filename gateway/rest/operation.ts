/** What the shim reads from a route's GraphQL document: the operation, its root fields and variables. */
import {
  type FieldNode,
  type GraphQLInputType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  typeFromAST,
} from "graphql";

/** The one operation of a route's document (fragments aside). */
export function operationOf(document: string): OperationDefinitionNode {
  const operation = parse(document).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error(`no operation in ${document.slice(0, 60)}`);
  return operation;
}

/** The operation's root fields (`createPayment`, or `account` and `accountByNumber`). */
export function rootFieldsOf(operation: OperationDefinitionNode): FieldNode[] {
  return operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
}

/** Each declared variable's input type in `schema`, by variable name. */
export function variableTypesOf(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
): ReadonlyMap<string, GraphQLInputType> {
  // A loaded schema and a route's parsed operation never change: typed once, not per request.
  let bySchema = variableTypes.get(operation);
  if (!bySchema) variableTypes.set(operation, (bySchema = new WeakMap()));
  const known = bySchema.get(schema);
  if (known) return known;
  const types = new Map<string, GraphQLInputType>();
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined;
    if (!type) throw new Error(`operation variable $${name} has a type the supergraph lacks`);
    types.set(name, type);
  }
  bySchema.set(schema, types);
  return types;
}

const variableTypes = new WeakMap<
  OperationDefinitionNode,
  WeakMap<GraphQLSchema, ReadonlyMap<string, GraphQLInputType>>
>();

/** Variable type by name; a route that binds a variable its operation lacks is a programming error. */
export function variableType(types: ReadonlyMap<string, GraphQLInputType>, name: string): GraphQLInputType {
  const type = types.get(name);
  if (!type) throw new Error(`the operation declares no variable $${name}`);
  return type;
}

/**
 * Root field argument -> the variable passed to it (`id` -> `id` in `client(id: $id)`), for the
 * arguments given as a variable; arguments given as object literals are not listed.
 */
export function argumentVariables(operation: OperationDefinitionNode): Map<string, string> {
  const variables = new Map<string, string>();
  for (const field of rootFieldsOf(operation)) {
    for (const argument of field.arguments ?? []) {
      if (argument.value.kind === Kind.VARIABLE)
        variables.set(argument.name.value, argument.value.name.value);
    }
  }
  return variables;
}
