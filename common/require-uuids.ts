import { type FieldError, validationError } from "./errors";
import { isUuid } from "./ids";

/** The field error of an id that is not a UUID: rule `isUuid`, naming the field. */
export function uuidProblem(field: string): FieldError {
  return { field, rule: "isUuid", message: `${field} must be a UUID` };
}

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
      if (item !== undefined && item !== null && !isUuid(item)) problems.push(uuidProblem(name));
    }
  }
  if (problems.length) throw validationError(problems);
}
