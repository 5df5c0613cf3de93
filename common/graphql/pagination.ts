/**
 * Cursor pagination (Relay-style connections) shared by every list query.
 * Cursors are opaque to callers: base64url of the keyset position `[createdAt, id]`.
 */
import { ArgsType, type ClassType, Directive, Field, Int, ObjectType } from "type-graphql";
import type { KeysetRows } from "../db/data-source";
import type { KeysetPosition } from "../db/keyset-position";
import { validationError } from "../errors";
import { isUuid } from "../ids";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./page-size";

export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE };

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString("base64url");
}

/**
 * Reads a cursor back; anything this API did not issue (forged ids, dates PostgreSQL cannot hold) is refused.
 * `isId` says what the list's ids look like (UUIDs, unless its rows are keyed otherwise).
 */
export function decodeCursor(cursor: string, isId: (id: unknown) => boolean = isUuid): KeysetPosition {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [
      unknown,
      unknown,
    ];
    const date = new Date(String(createdAt));
    const year = date.getUTCFullYear();
    if (!isId(id) || Number.isNaN(year) || year < 1 || year > 9999) {
      throw new Error("bad cursor");
    }
    return { createdAt: date, id: id as string };
  } catch {
    throw validationError([
      { field: "after", rule: "isCursor", message: "after must be a cursor returned by this API" },
    ]);
  }
}

/** Checks `first` and `after`; returns the page size and the position to continue after. */
export function pageRequest(
  first: number | undefined | null,
  after: string | undefined | null,
  isId?: (id: unknown) => boolean,
) {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw validationError([
      { field: "first", rule: "range", message: `first must be between 1 and ${MAX_PAGE_SIZE}` },
    ]);
  }
  return { size, after: after ? decodeCursor(after, isId) : undefined };
}

// Every subgraph pages the same way, so the type is shared across the supergraph.
@Directive("@shareable")
@ObjectType({ description: "Where a page ends and whether more follow." })
export class PageInfo {
  @Field({ description: "More items follow; pass `endCursor` as `after` to get them." })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Page<T> {
  nodes: T[];
  edges: { cursor: string; node: T }[];
  /** Read only when the caller selected it: reading it runs the count (decision 0032). */
  readonly totalCount: Promise<number>;
  /** False when the count stopped at its cap (decision 0063): `totalCount` is then a lower bound. */
  readonly totalCountIsExact: boolean | Promise<boolean>;
  pageInfo: PageInfo;
}

/**
 * Builds a page from `size + 1` fetched rows (the extra row only tells that more follow).
 * `count` runs only if `totalCount` or `totalCountIsExact` is resolved, i.e. selected; edges (a
 * cursor each) are made only if selected. With a `countCap`, `count` answers up to `countCap + 1`
 * and the page shows at most `countCap`, not exact when more match.
 */
export function toPage<T extends KeysetPosition>(
  rows: T[],
  size: number,
  count: () => Promise<number>,
  countCap?: number,
): Page<T> {
  const nodes = rows.slice(0, size);
  const last = nodes[nodes.length - 1];
  let edges: Page<T>["edges"] | undefined;
  return {
    nodes,
    get edges() {
      return (edges ??= nodes.map((node) => ({ cursor: encodeCursor(node), node })));
    },
    get totalCount() {
      return countCap === undefined ? count() : count().then((n) => Math.min(n, countCap));
    },
    get totalCountIsExact() {
      return countCap === undefined ? true : count().then((n) => n <= countCap);
    },
    pageInfo: { hasNextPage: rows.length > size, endCursor: last ? encodeCursor(last) : null },
  };
}

/**
 * One page of a list: checks `first`/`after`, asks `list` for `size + 1` rows after the
 * position (a repository's keyset query) and builds the connection.
 */
export async function fetchPage<T extends KeysetPosition>(
  first: number | undefined | null,
  after: string | undefined | null,
  list: (size: number, after?: KeysetPosition) => Promise<KeysetRows<T>>,
  isId?: (id: unknown) => boolean,
): Promise<Page<T>> {
  const page = pageRequest(first, after, isId);
  const { rows, count, countCap } = await list(page.size, page.after);
  return toPage(rows, page.size, count, countCap);
}

/** A connection type `<Name>Connection { nodes, edges { cursor node }, pageInfo, totalCount, totalCountIsExact }`. */
export function Connection<T extends KeysetPosition>(node: ClassType<T>) {
  @ObjectType(`${node.name}Edge`)
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  // Not emitted itself: type-graphql 2 only prints types reachable from a resolver.
  @ObjectType()
  abstract class ConnectionType implements Page<T> {
    @Field(() => [node])
    nodes!: T[];

    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => Int, {
      description:
        "Items matching the filter, over all pages; for a clients `search` at most 1,000 (see `totalCountIsExact`).",
    })
    readonly totalCount!: Promise<number>;

    @Field(() => Boolean, {
      description:
        "False when `totalCount` stopped at a cap and more items match: it is then a lower bound. Only a clients `search` is capped, at 1,000.",
    })
    readonly totalCountIsExact!: boolean | Promise<boolean>;

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionType;
}

/** `first` and `after` of every list field. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "`pageInfo.endCursor` of the previous page." })
  after?: string | null;
}
