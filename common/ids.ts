const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True for a UUID (any case). Ids are UUIDs everywhere: anything else names nothing, and is
 * filtered out before it reaches PostgreSQL, which would refuse it as a cast error.
 */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}
