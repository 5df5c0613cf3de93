import { type FieldError, validationError } from "./errors";
import { isUuid } from "./ids";

/**
 * Ids given as arguments or in a body must be UUIDs (400 `isUuid` naming the field): a
 * malformed id is the caller's mistake, not an id that names nothing, and PostgreSQL would
 * refuse it as a fault. A list is checked item by item (`accountIds.1`); an absent value
 * (undefined or null) is left to the rules for required fields.
 */
export function requireUuids(values: Record<string, unknown>): void {
  const problems: FieldError[] = [];
  for (const [field, value] of Object.entries(values)) {
    const items: Array<[string, unknown]> = Array.isArray(value)
      ? value.map((item, index) => [`${field}.${index}`, item])
      : [[field, value]];
    for (const [name, item] of items) {
      if (item !== undefined && item !== null && !isUuid(item)) {
        problems.push({ field: name, rule: "isUuid", message: `${name} must be a UUID` });
      }
    }
  }
  if (problems.length) throw validationError(problems);
}
