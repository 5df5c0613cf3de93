/**
 * The costs the operation limits (common/graphql/limits.ts) compare with their budgets,
 * remembered so that a request costs a lookup, not a walk of the whole selection with the schema.
 */
import { type DocumentNode, getOperationAST, GraphQLError, type GraphQLSchema } from "graphql";
import { type CostedRequest, costShape, costVaries, operationCost } from "./cost";

/** Variable shapes remembered per document: enough for the page sizes one client asks for. */
const COSTS_PER_DOCUMENT = 64;

/** What is remembered of one operation of a document, for the schema it was costed with. */
interface OperationPlan {
  schema: GraphQLSchema;
  /** Whether its cost may change with its variables ({@link costVaries}). */
  varies: boolean;
  /**
   * When it does not: its cost, once costed with variables that fit it (null when costing was
   * stopped for too many selections); undefined until then.
   */
  constant?: number | null;
}

interface DocumentCosts {
  /** Per operation name (null for none), only for operations the document has. */
  operations: Map<string | null, OperationPlan>;
  /** Costs per operation name and {@link costShape} of the variables. */
  byShape: Map<string, number>;
}

/** Outcome of costing one request: its cost, null past the selection limit, undefined when not costed. */
type Costed = number | null | undefined;

/**
 * {@link operationCost}, remembered per document (Apollo Server and graphql-ws hand the same
 * parsed document to every request with the same text), per operation, and per shape of the
 * variables: only numbers, booleans and list lengths can change a cost, so a gateway or a
 * subgraph costs each operation once, not on every request.
 */
export class OperationCosts {
  private readonly documents = new WeakMap<DocumentNode, DocumentCosts>();

  /**
   * The request's cost when it is over `max` (null when it could not be counted to the end);
   * undefined when it is within, or was not costed: the document has no such operation (the
   * server refuses it as such), or the variables do not fit the operation (execution refuses them).
   */
  exceeding(request: CostedRequest, max: number): number | null | undefined {
    let costs = this.documents.get(request.document);
    if (!costs) this.documents.set(request.document, (costs = { operations: new Map(), byShape: new Map() }));
    const plan = planOf(costs, request);
    if (!plan) return undefined;
    const cost = plan.varies ? costByShape(costs, request) : fixedCost(costs, plan, request, max);
    return cost === null || (cost !== undefined && cost > max) ? cost : undefined;
  }
}

/** The plan of the request's operation; undefined when the document has no such operation. */
function planOf(costs: DocumentCosts, request: CostedRequest): OperationPlan | undefined {
  const name = request.operationName ?? null;
  const known = costs.operations.get(name);
  if (known?.schema === request.schema) return known;
  const operation = getOperationAST(request.document, request.operationName);
  if (!operation) return undefined; // not remembered: names a client makes up would pile up
  const plan = { schema: request.schema, varies: costVaries(request.schema, request.document, operation) };
  costs.operations.set(name, plan);
  return plan;
}

/**
 * {@link costByShape} for an operation whose cost its variables cannot change, as far as the
 * answer needs it: undefined when within `max`, without costShape once the operation was costed.
 */
function fixedCost(costs: DocumentCosts, plan: OperationPlan, request: CostedRequest, max: number): Costed {
  const { constant } = plan;
  // Variables that do not fit (the cost is not counted then) are within the budget as well.
  if (constant !== undefined && constant !== null && constant <= max) return undefined;
  // Past the budget, the answer of each shape as before: variables that do not fit are not
  // refused for the cost, unless a request of their shape was costed.
  if (constant !== undefined) return costByShape(costs, request);
  const key = shapeKey(request);
  const remembered = costs.byShape.get(key);
  // One remembered may be of an earlier schema: only a cost counted now is taken as the operation's.
  if (remembered !== undefined) return remembered;
  return (plan.constant = costAndRemember(costs, request, key));
}

function shapeKey(request: CostedRequest): string {
  return `${request.operationName ?? ""}\n${costShape(request.variables)}`;
}

/** The cost remembered for the shape of the request's variables, else costed now. */
function costByShape(costs: DocumentCosts, request: CostedRequest): Costed {
  const key = shapeKey(request);
  return costs.byShape.get(key) ?? costAndRemember(costs, request, key);
}

/** {@link operationCost}, remembered under `key` when it was counted. */
function costAndRemember(costs: DocumentCosts, request: CostedRequest, key: string): Costed {
  let cost: number;
  try {
    cost = operationCost(request);
  } catch (error) {
    const tooMany =
      error instanceof GraphQLError && error.message.includes("maximum allowed number of nodes");
    return tooMany ? null : undefined;
  }
  if (costs.byShape.size >= COSTS_PER_DOCUMENT) costs.byShape.clear();
  costs.byShape.set(key, cost);
  return cost;
}
