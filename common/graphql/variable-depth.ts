/**
 * How deeply the values of a request (variables, `extensions`) nest, for the operation limits
 * (common/graphql/limits.ts): counted before anything serialises them (`JSON.stringify`
 * recurses, and a 5,000-level value overflows the stack).
 */

/**
 * Nesting depth of objects and arrays in `value` (0 for a scalar, 1 for `{}`), counted with a
 * stack of its own rather than recursion, so any depth JSON.parse accepted is measured safely.
 */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== "object") continue;
    const inner = depth + 1;
    if (inner > deepest) deepest = inner;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (child !== null && typeof child === "object") pending.push([child, inner]);
    }
  }
  return deepest;
}

/**
 * Limits up to which {@link nestsDeeperThan} recurses (the configuration allows at most 1,000):
 * it recurses no deeper than the limit and one, so the stack holds whatever the value.
 */
const RECURSION_SAFE = 1_000;

/** A value that nests too deeply: where it is (`extensions.` and the name for an extension) and its whole depth. */
export interface TooDeep {
  field: string;
  nested: number;
}

/**
 * The first variable, then the first extension, that nests deeper than `max` (in the order of
 * their keys), with its whole {@link nestingDepth}; undefined when none does. Values within
 * the limit, nearly all, are walked no further than `max` levels and allocate nothing.
 */
export function tooDeep(
  variables: Record<string, unknown> | null | undefined,
  extensions: Record<string, unknown> | null | undefined,
  max: number,
): TooDeep | undefined {
  const variable = firstTooDeep(variables, max);
  if (variable !== undefined) return { field: variable, nested: nestingDepth(variables![variable]) };
  const extension = firstTooDeep(extensions, max);
  if (extension !== undefined)
    return { field: `extensions.${extension}`, nested: nestingDepth(extensions![extension]) };
  return undefined;
}

const { hasOwnProperty } = Object.prototype;

/** The first own enumerable key of `values` (as Object.entries lists them) whose value nests deeper than `max`. */
function firstTooDeep(values: Record<string, unknown> | null | undefined, max: number): string | undefined {
  if (values === null || values === undefined) return undefined;
  for (const key in values) {
    if (hasOwnProperty.call(values, key) && nestsDeeperThan(values[key], max)) return key;
  }
  return undefined;
}

/** Whether `nestingDepth(value) > max`, stopping at the first object or array past `max`. */
function nestsDeeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== "object") return max < 0;
  if (!(max <= RECURSION_SAFE)) return nestingDepth(value) > max;
  if (max < 1) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (nestsDeeperThan(item, max - 1)) return true;
    return false;
  }
  for (const key in value) {
    if (
      hasOwnProperty.call(value, key) &&
      nestsDeeperThan((value as Record<string, unknown>)[key], max - 1)
    ) {
      return true;
    }
  }
  return false;
}
