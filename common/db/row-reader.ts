/**
 * Entities read from raw rows, for list pages (decision 0032). TypeORM's `getMany` hydrates
 * through a general transformer that, for every row, builds an alias and looks up a value for
 * every column of the entity (49 for a client), whatever was selected: it was a fifth of a
 * client list's CPU. A reader does the same conversions (the driver's `prepareHydratedValue`,
 * embedded objects, `@AfterLoad` listeners) for the columns it selects, and nothing else.
 */
import type { EntityMetadata, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import type { ColumnMetadata } from "typeorm/metadata/ColumnMetadata";

/**
 * The properties of an entity its reader must fill (the others are left unset), or undefined
 * for all of them. A property of an embedded object (`address`) stands for all its columns.
 */
export type RowProperties = readonly string[] | undefined;

/** Reads one entity's rows: which columns to select, and how to turn a raw row into the entity. */
export interface RowReader<T extends ObjectLiteral> {
  /** Sets the query's selection to the reader's columns (any earlier selection is replaced). */
  selectInto(query: SelectQueryBuilder<T>): SelectQueryBuilder<T>;
  /** The entities of raw rows selected by {@link selectInto}, with their load listeners run. */
  read(raws: Record<string, unknown>[]): Promise<T[]>;
}

const readers = new WeakMap<EntityMetadata, Map<string, RowReader<ObjectLiteral>>>();
/** Readers kept per entity: a query chooses the properties, so there may be any number of sets. */
const KEPT_PER_ENTITY = 64;

/**
 * The reader of `metadata`'s rows that fills `properties` (and `always`, e.g. a cursor's
 * columns). A property that is no column or embedded object (a getter, a field computed
 * elsewhere) may read any column: the reader then fills them all. Made once per entity and
 * set of properties (for the first {@link KEPT_PER_ENTITY} sets; others are made when asked).
 */
export function rowReader<T extends ObjectLiteral>(
  metadata: EntityMetadata,
  properties: RowProperties,
  always: readonly string[] = NONE,
): RowReader<T> {
  // The same array of properties (a query's, kept by nodeProperties) finds its reader at once.
  const found = properties && byArray.get(properties);
  if (found?.metadata === metadata && found.always === always) return found.reader as RowReader<T>;
  const reader = readerOf<T>(metadata, properties, always);
  if (properties) byArray.set(properties, { metadata, always, reader });
  return reader;
}

const NONE: readonly string[] = [];

/** The last reader made for an array of properties, with what it was asked for. */
const byArray = new WeakMap<
  readonly string[],
  { metadata: EntityMetadata; always: readonly string[]; reader: RowReader<ObjectLiteral> }
>();

function readerOf<T extends ObjectLiteral>(
  metadata: EntityMetadata,
  properties: RowProperties,
  always: readonly string[],
): RowReader<T> {
  const wanted = properties && [...new Set([...always, ...properties])].sort();
  const key = wanted ? wanted.join(",") : "*";
  let byKey = readers.get(metadata);
  if (!byKey) readers.set(metadata, (byKey = new Map()));
  let reader = byKey.get(key);
  if (!reader) {
    reader = makeReader(metadata, columnsFor(metadata, wanted));
    if (byKey.size < KEPT_PER_ENTITY) byKey.set(key, reader);
  }
  return reader as RowReader<T>;
}

/** The columns that fill `wanted` (all of them if undefined or if one is not a stored property). */
function columnsFor(metadata: EntityMetadata, wanted: readonly string[] | undefined): ColumnMetadata[] {
  const stored = metadata.columns.filter((column) => !column.isVirtual);
  if (!wanted) return stored;
  const topLevel = (column: ColumnMetadata) =>
    column.embeddedMetadata?.embeddedMetadataTree[0].propertyName ?? column.propertyName;
  const known = new Set(stored.map(topLevel));
  if (!wanted.every((property) => known.has(property))) return stored;
  return stored.filter((column) => wanted.includes(topLevel(column)));
}

function makeReader(metadata: EntityMetadata, columns: ColumnMetadata[]): RowReader<ObjectLiteral> {
  const { driver, subscribers } = metadata.connection;
  const special =
    metadata.relations.length ||
    metadata.columns.some((column) => column.isVirtualProperty) ||
    subscribers.some((subscriber) => subscriber.afterLoad);
  if (special) {
    // getMany would load relations, select virtual columns or call subscribers: nothing we list has them.
    throw new Error(`rowReader: ${metadata.name} has relations, virtual columns or load subscribers`);
  }
  const listeners = metadata.afterLoadListeners;
  const plain = columns.filter((column) => !column.embeddedMetadata);
  const embedded = columns.filter((column) => column.embeddedMetadata);
  const selections = new Map<string, string>();
  return {
    selectInto(query) {
      let selection = selections.get(query.alias);
      if (selection === undefined) {
        const alias = query.escape(query.alias);
        selection = columns
          .map(
            (column) =>
              `${alias}.${query.escape(column.databaseName)} AS ${query.escape(column.databaseName)}`,
          )
          .join(", ");
        selections.set(query.alias, selection);
      }
      // One selection, not one per column: TypeORM matches every selection against every column.
      return query.select(selection);
    },
    async read(raws) {
      const entities = raws.map((raw) => {
        const entity = metadata.create(undefined, { fromDeserializer: true }) as Record<string, unknown>;
        for (const column of plain) {
          entity[column.propertyName] = driver.prepareHydratedValue(raw[column.databaseName], column);
        }
        for (const column of embedded) {
          column.setEntityValue(entity, driver.prepareHydratedValue(raw[column.databaseName], column));
        }
        return entity;
      });
      const pending: Promise<unknown>[] = [];
      for (const listener of listeners) {
        for (const entity of entities) {
          if (!listener.isAllowed(entity)) continue;
          const result: unknown = listener.execute(entity);
          if (result instanceof Promise) pending.push(result);
        }
      }
      await Promise.all(pending);
      return entities;
    },
  };
}
