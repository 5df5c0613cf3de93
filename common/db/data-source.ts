import { log } from "../log";
import {
  DataSource,
  type DataSourceOptions,
  DefaultNamingStrategy,
  type EntityManager,
  type FindOptionsOrder,
  type FindOptionsWhere,
  In,
  type Logger,
  type ObjectLiteral,
  QueryFailedError,
  type QueryRunner,
  type SelectQueryBuilder,
} from "typeorm";
import type { KeysetPosition } from "./keyset-position";
import { rowReader, type RowProperties, type RowReader } from "./row-reader";
import type { PoolStats } from "../ops/metrics";
import { isUuid } from "../ids";

/**
 * Counts the SQL statements a data source sends. Tests use it to prove batching
 * (e.g. 100 `_entities` representations cost one statement).
 */
export class StatementCounter implements Logger {
  count = 0;
  logQuery(_query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    this.count++;
  }
  logQueryError(error: string | Error, query: string): void {
    // Expected failures (a unique violation turned into CLIENT_ALREADY_EXISTS) land here too, so this stays quiet.
    void error;
    void query;
  }
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(message: string): void {
    log.info({ source: "migration" }, message);
  }
  log(): void {}
}

export interface SubgraphDataSourceOptions {
  url: string;
  /** The PostgreSQL schema the subgraph owns (`client`, `ledger`, `transfer`). */
  schema: string;
  entities: NonNullable<DataSourceOptions["entities"]>;
  migrations: NonNullable<DataSourceOptions["migrations"]>;
  /** Pool size per process. */
  poolSize?: number;
  applicationName?: string;
}

/** A data source confined to one subgraph's schema. Never `synchronize`: migrations only. */
export function createDataSource(options: SubgraphDataSourceOptions): {
  dataSource: DataSource;
  statements: StatementCounter;
} {
  const statements = new StatementCounter();
  const dataSource = new DataSource({
    type: "postgres",
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: "migrations",
    synchronize: false,
    migrationsRun: false,
    uuidExtension: "pgcrypto",
    logger: statements,
    namingStrategy: new EmbeddedPrefixNamingStrategy(),
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? `core-banking-${options.schema}`,
    },
  });
  return { dataSource, statements };
}

/**
 * The pg pool behind a data source, for its use metrics: TypeORM's PostgreSQL driver keeps it
 * as `master` (the only pool when there is no replication); undefined until initialised.
 */
export function poolOf(dataSource: DataSource): PoolStats | undefined {
  return (dataSource.driver as unknown as { master?: PoolStats }).master;
}

/**
 * Creates the subgraph's schema and runs its pending migrations. An advisory lock
 * makes concurrent starts (several instances, docker-compose) take turns.
 */
export async function migrate(dataSource: DataSource, schema: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query("SELECT pg_advisory_lock(hashtext($1))", [`migrate:${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await dataSource.runMigrations({ transaction: "each" });
    } finally {
      await runner.query("SELECT pg_advisory_unlock(hashtext($1))", [`migrate:${schema}`]);
    }
  } finally {
    await runner.release();
  }
}

/** True for PostgreSQL's unique-violation error on the named constraint. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const driverError =
    (error as { driverError?: { code?: string; constraint?: string } })?.driverError ?? error;
  const { code, constraint: name } = (driverError ?? {}) as { code?: string; constraint?: string };
  return code === "23505" && name === constraint;
}

/**
 * Embedded columns get `<prefix>_<column>` (`address_city`, `document_number`), where
 * TypeORM's default would camel-case the pair into `address_City`.
 */
export class EmbeddedPrefixNamingStrategy extends DefaultNamingStrategy {
  override columnName(propertyName: string, customName: string | undefined, prefixes: string[]): string {
    const name = customName ?? propertyName;
    return prefixes.length ? `${prefixes.join("_")}_${name}` : name;
  }
}

/** A keyset page's rows (`size + 1` of them at most) and the count of every row matching its filter. */
export interface KeysetRows<T> {
  rows: T[];
  /**
   * Counts the rows matching the filter, on demand: a list pays for its `totalCount` only when
   * the caller selected it. The count is exact (`count(*)` under the same filter, served by the
   * filter's index, index-only once vacuumed); it is run once however often it is asked.
   */
  count(): Promise<number>;
  /**
   * Set when the count stops after this many rows plus one (a broad search, decision 0063):
   * `count()` then answers at most `countCap + 1`, and more than `countCap` means "at least".
   */
  countCap?: number;
}

/**
 * How {@link keysetPage} counts its total: with the function given (a counter's exact count,
 * decision 0043), else `count(*)` under the query's filter, which stops after `cap + 1` rows
 * when a cap is given.
 */
export type Counting = (() => Promise<number>) | { cap: number };

/**
 * One page of a filtered query in creation order: keyset pagination on `(created_at, id)`; an
 * index leading with the filter's equality column, then `(created_at, id)`, serves it (decision
 * 0032), so a page reads `size + 1` index entries however large the table grows. The total is
 * not counted here (see {@link KeysetRows.count}): `count` counts it when given (a counter's
 * exact count, decision 0043), else `count(*)` under the query's filter does. Rows are read by
 * a {@link rowReader}: only the columns of `properties` (all if undefined) and those of the
 * cursor (`id`, `createdAt`).
 */
export async function keysetPage<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  size: number,
  after?: KeysetPosition,
  properties?: RowProperties,
  counting?: Counting,
): Promise<KeysetRows<T>> {
  const alias = query.alias;
  const count = typeof counting === "function" ? counting : undefined;
  const cap = typeof counting === "object" ? counting.cap : undefined;
  const filtered = count ? undefined : query.clone();
  let counted: Promise<number> | undefined;
  if (after) {
    query.andWhere(`(${alias}.created_at, ${alias}.id) > (:afterCreatedAt, :afterId)`, {
      afterCreatedAt: after.createdAt,
      afterId: after.id,
    });
  }
  const reader = rowReader<T>(query.expressionMap.mainAlias!.metadata, properties, CURSOR_PROPERTIES);
  const [sql, values] = pageSql(query, reader, size + 1);
  const rows = await reader.read(await queryOf<Record<string, unknown>>(query, sql, values));
  return { rows, count: count ?? (() => (counted ??= countOf(filtered!, cap))), countCap: cap };
}

/**
 * `count(*)` of the rows `query` filters. TypeORM's `getCount` counts `DISTINCT` ids, which a
 * join needs (it may repeat a row) and a plain filter does not: it sorts or hashes every matching
 * id. For a search matching 11,111 of 100,000 seeded clients (`EXPLAIN ANALYZE`, three runs each):
 * 7.8-8.3 ms against 6.2-6.5.
 */
async function countOf<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, cap?: number): Promise<number> {
  if (cap !== undefined) {
    // A join may repeat a row, which `count(*)` of the CTE would count twice.
    if (query.expressionMap.joinAttributes.length > 0) throw new Error("a capped count takes no joins");
    // The matches are read lazily and only up to the cap's. The CTE is planned as if every
    // match were read: a plain LIMIT lets the planner pick a scan of the table that expects
    // matches spread evenly and stops at the limit, which for clustered matches read 42,000 of
    // 100,000 clients (14-18 ms) where the trigram index's bitmap reads 1,001 (1.5-2 ms).
    const [sql, values] = query.select("1").orderBy().getQueryAndParameters();
    const text = `WITH matching AS MATERIALIZED (${sql}) SELECT count(*) AS n FROM (SELECT 1 FROM matching LIMIT ${cap + 1}) capped`;
    const [raw] = await queryOf<{ n: string }>(query, text, values);
    return Number(raw.n);
  }
  if (query.expressionMap.joinAttributes.length > 0) return query.getCount();
  const raw = await query.select("count(*)", "n").orderBy().getRawOne<{ n: string }>();
  return Number(raw?.n ?? 0);
}

/** Runs SQL made from `query` where it runs: a transaction's query runner, else the pool. */
async function queryOf<R>(
  query: SelectQueryBuilder<ObjectLiteral>,
  sql: string,
  values: unknown[],
): Promise<R[]> {
  const inTransaction = (query as unknown as { queryRunner?: QueryRunner }).queryRunner;
  return inTransaction
    ? ((await inTransaction.query(sql, values)) as R[])
    : poolQuery<R>(query.connection, sql, values);
}

/** What a keyset page reads besides its nodes' properties: its cursor. */
const CURSOR_PROPERTIES: readonly string[] = ["id", "createdAt"];

/** A page's SQL text with its parameters' names in the order of their `$n`. */
interface PageText {
  sql: string;
  names: readonly string[];
}

/** SQL texts of keyset pages, per reader (entity and columns), then per shape of the query. */
const pageTexts = new WeakMap<object, Map<string, PageText>>();
/** Shapes kept per reader: a filter is a set of documented conditions, so there are few. */
const KEPT_PAGE_SHAPES = 256;

/**
 * A keyset page's SQL and values: `query` selecting the reader's columns in `(created_at, id)`
 * order, `limit` rows. Building the text (TypeORM's `getQuery`: property names, escaping, the
 * select list) and then numbering its parameters (`escapeQueryWithParameters`, a regular
 * expression over the whole text) was most of what TypeORM cost a list page, and one shape of
 * query (the same conditions and parameter names, other values) always gives the same text and
 * order of parameters: both are worked out once per shape, and a page only picks its values. A
 * query with joins, a lock or a condition that is not plain text (brackets, find options, which
 * name their parameters as they are built), or with a parameter TypeORM writes into the text (a
 * list spread by `:...name`, a function), is built every time.
 */
function pageSql<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  reader: RowReader<T>,
  limit: number,
): [string, unknown[]] {
  const map = query.expressionMap;
  const ordered = () =>
    reader
      .selectInto(query)
      .orderBy(`${query.alias}.created_at`, "ASC")
      .addOrderBy(`${query.alias}.id`, "ASC")
      .limit(limit);
  // What the shape below leaves out must be absent: one alias, no join, lock, grouping, distinct,
  // offset, CTE or soft-delete switch, and conditions of plain text.
  const plain =
    map.aliases.length === 1 &&
    !map.joinAttributes.length &&
    !map.lockMode &&
    !map.groupBys.length &&
    !map.havings.length &&
    !map.selectDistinct &&
    !map.selectDistinctOn.length &&
    map.offset === undefined &&
    map.skip === undefined &&
    map.take === undefined &&
    map.limit === undefined &&
    !map.commonTableExpressions.length &&
    !map.withDeleted &&
    !map.comment &&
    map.wheres.every((w) => typeof w.condition === "string");
  const parameters = query.getParameters();
  const names = Object.keys(parameters);
  if (!plain || names.some((name) => isWrittenIntoText(parameters[name]))) {
    return ordered().getQueryAndParameters();
  }
  const shape = `${map.mainAlias!.name} ${limit} ${names.join(",")}\n${map.wheres.map((w) => `${w.type} ${w.condition as string}`).join("\n")}`;
  let texts = pageTexts.get(reader);
  if (!texts) pageTexts.set(reader, (texts = new Map()));
  let text = texts.get(shape);
  if (text === undefined) {
    text = numbered(query.connection, ordered().getQuery(), names);
    if (!text) return query.getQueryAndParameters();
    if (texts.size < KEPT_PAGE_SHAPES) texts.set(shape, text);
  }
  return [text.sql, text.names.map((name) => parameters[name])];
}

/** A value TypeORM writes into the text rather than binding it: a list (`:...name` spreads it) or a function. */
function isWrittenIntoText(value: unknown): boolean {
  return Array.isArray(value) || typeof value === "function";
}

/**
 * `text` with its parameters numbered by the driver (`escapeQueryWithParameters`), and their
 * names in that order, found by numbering stand-ins (one object per name) instead of the values;
 * undefined for a text that spreads a list (`:...name`).
 */
function numbered(db: DataSource, text: string, names: readonly string[]): PageText | undefined {
  if (text.includes(":...")) return undefined;
  const standIns = Object.fromEntries(names.map((name) => [name, { name }]));
  const [sql, bound] = db.driver.escapeQueryWithParameters(text, standIns);
  return { sql, names: (bound as { name: string }[]).map((standIn) => standIn.name) };
}

/** The `count()` of a raw keyset page: `sql` (selecting `total`) run once, when first asked. */
export function lazyCount(
  db: DataSource | EntityManager,
  sql: string,
  values: unknown[],
): () => Promise<number> {
  let counted: Promise<number> | undefined;
  return () =>
    (counted ??= (db.query(sql, values) as Promise<{ total: number }[]>).then(([row]) => Number(row.total)));
}

/**
 * Rows of `entity` whose uuid `column` is one of `ids`, in one statement (in `order`, if given);
 * ids that are no UUID match nothing (and never reach PostgreSQL as a malformed uuid). The
 * batch functions of request-scoped loaders read through it.
 */
export async function findByUuids<T extends ObjectLiteral>(
  db: DataSource | EntityManager,
  entity: new () => T,
  column: keyof T & string,
  ids: readonly string[],
  order?: FindOptionsOrder<T>,
): Promise<T[]> {
  const valid = ids.filter(isUuid);
  if (!valid.length) return [];
  return db.getRepository<T>(entity).find({ where: { [column]: In(valid) } as FindOptionsWhere<T>, order });
}

/** Rows of `entity` by id ({@link findByUuids} on `id`), in no particular order. */
export function findByIds<T extends { id: string }>(
  db: DataSource | EntityManager,
  entity: new () => T,
  ids: readonly string[],
): Promise<T[]> {
  return findByUuids(db, entity, "id", ids);
}

/**
 * One statement on the pool of `db`, without TypeORM's query runner (made, connected, broadcast
 * to and released on every `db.query`): for the hottest single statements, a payment's. The same
 * rows, the same `QueryFailedError` (with `driverError`) and the same statement logger as `db.query`.
 */
export function poolQuery<T>(db: DataSource, text: string, values: unknown[]): Promise<T[]> {
  db.logger.logQuery(text, values);
  const failed = (error: Error) => {
    db.logger.logQueryError(error, text, values);
    return new QueryFailedError(text, values, error);
  };
  try {
    const pool = (
      db.driver as unknown as { master: { query(text: string, values: unknown[]): Promise<{ rows: T[] }> } }
    ).master;
    // pg's promise with its outcome mapped, not awaited in another: one promise fewer per statement.
    return pool.query(text, values).then(
      (result) => result.rows,
      (error: Error) => {
        throw failed(error);
      },
    );
  } catch (error) {
    // No pool (the data source destroyed meanwhile): refused as a failed statement, as before.
    return Promise.reject(failed(error as Error));
  }
}
