/**
 * Field validation shared by every subgraph: class-validator runs on GraphQL inputs
 * and each broken rule becomes a {@link FieldError} naming the field path and rule.
 */
import {
  getMetadataStorage,
  registerDecorator,
  validate,
  validateSync,
  type ValidationArguments,
  type ValidationError,
} from "class-validator";
import { validationError, type FieldError } from "./errors";
import { passesEveryRule } from "./validation-rules";

/** Flattens class-validator's tree into `address.city` style paths, one entry per broken rule. */
export function toFieldErrors(errors: ValidationError[], prefix = ""): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({ field, rule, message }));
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

// C0 controls other than tab, line feed and carriage return, and DEL. PostgreSQL cannot store NUL at all.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
// Half of a surrogate pair on its own: not a character, and no UTF-8 can carry it (validator's
// isEmail throws URIError on one).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The rules every string of an input keeps, whatever its field: no control characters, well-formed Unicode. */
function textRuleBroken(text: string): "noControlCharacters" | "wellFormedUnicode" | undefined {
  if (CONTROL_CHARACTERS.test(text)) return "noControlCharacters";
  if (LONE_SURROGATE.test(text)) return "wellFormedUnicode";
  return undefined;
}

const TEXT_RULE_MESSAGES = {
  noControlCharacters: "must not contain control characters",
  wellFormedUnicode: "must be well-formed Unicode (it holds half of a surrogate pair)",
};

/**
 * A character every string {@link textRuleBroken} refuses holds: a control character, or either
 * half of a surrogate pair. One scan per string finds nearly every input clean.
 */
// eslint-disable-next-line no-control-regex
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uD800-\uDFFF]/;

/** Whether some string (or key) inside `value` holds a {@link SUSPECT} character: only then is it looked at closely. */
function holdsSuspectText(value: unknown): boolean {
  if (typeof value === "string") return SUSPECT.test(value);
  if (value === null || typeof value !== "object") return false;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (SUSPECT.test(key) || holdsSuspectText(record[key])) return true;
  }
  return false;
}

/** Every string (and key) inside an input that breaks a rule of {@link textRuleBroken}, as a field error. */
export function textErrors(value: unknown, prefix = ""): FieldError[] {
  return holdsSuspectText(value) ? brokenText(value, prefix) : [];
}

function brokenText(value: unknown, prefix: string): FieldError[] {
  if (typeof value === "string") {
    const rule = textRuleBroken(value);
    return rule ? [{ field: prefix, rule, message: `${prefix} ${TEXT_RULE_MESSAGES[rule]}` }] : [];
  }
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const field = prefix ? `${prefix}.${key}` : key;
    const keyRule = textRuleBroken(key);
    const inKey = keyRule
      ? [
          {
            field,
            rule: keyRule,
            message: `a key of ${prefix || "the input"} ${TEXT_RULE_MESSAGES[keyRule]}`,
          },
        ]
      : [];
    return [...inKey, ...brokenText(item, field)];
  });
}

/**
 * The `validateFn` given to type-graphql: validates an argument (an input or args class
 * instance, or an array of them) and throws VALIDATION_FAILED with every broken rule.
 * Every string of every input is also refused when it holds control characters or is not
 * well-formed Unicode. Synchronous while every registered rule is (all ours are): class-validator's
 * `validate` answers the same as `validateSync` then, at the price of its promises on every
 * argument of every request; should a rule be asynchronous, every input is validated the
 * asynchronous way. An input that passes every rule of its class is answered without
 * class-validator ({@link passesEveryRule}, decision 0059); any other is given to `validateSync`,
 * so every error reported (field, rule, message, order) is class-validator's own.
 */
export function validateInput(
  value: unknown,
  _type?: unknown,
  resolverData?: { args?: Record<string, unknown> },
): void | Promise<void> {
  if (typeof value === "string") {
    // A plain string argument: name it by finding it among the field's arguments.
    const name = Object.entries(resolverData?.args ?? {}).find(([, arg]) => arg === value)?.[0] ?? "argument";
    const errors = textErrors(value, name);
    if (errors.length) throw validationError(errors);
    return;
  }
  if (value === null || typeof value !== "object") return;
  if (hasAsyncRules()) return validateItemsAsync(value);
  const fields: FieldError[] = [];
  forEachItem(value, (item, prefix, text, checkFields) => {
    if (checkFields && !passesEveryRule(item)) {
      fields.push(...toFieldErrors(validateSync(item, VALIDATOR_OPTIONS), prefix));
    }
    fields.push(...text);
  });
  if (fields.length) throw validationError(fields);
}

const VALIDATOR_OPTIONS = { forbidUnknownValues: false, validationError: { target: false, value: false } };

/**
 * Calls `visit` for each object of an argument (the argument, or the items of a list) with its
 * field prefix, its text errors, and whether its field rules are to be checked: not when a text
 * is not well-formed Unicode (field rules are not asked about text that is not text: some of
 * them throw on it). An object with nothing to report (no suspect text, every rule passing:
 * nearly every input) is not visited.
 */
function forEachItem(
  value: object,
  visit: (item: object, prefix: string, text: FieldError[], checkFields: boolean) => void,
): void {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  items.forEach((item, index) => {
    if (item === null || typeof item !== "object") return;
    if (!holdsSuspectText(item) && passesEveryRule(item)) return;
    const prefix = Array.isArray(value) ? String(index) : "";
    const text = textErrors(item, prefix);
    visit(item, prefix, text, !text.some((error) => error.rule === "wellFormedUnicode"));
  });
}

/** {@link validateInput} with class-validator's asynchronous `validate` (an asynchronous rule exists). */
async function validateItemsAsync(value: object): Promise<void> {
  const pending: Promise<FieldError[]>[] = [];
  forEachItem(value, (item, prefix, text, checkFields) => {
    pending.push(
      checkFields
        ? validate(item, VALIDATOR_OPTIONS).then((errors) => [...toFieldErrors(errors, prefix), ...text])
        : Promise.resolve(text),
    );
  });
  const fields = (await Promise.all(pending)).flat();
  if (fields.length) throw validationError(fields);
}

let constraintsSeen = -1;
let asyncRules = false;

/** Whether some registered class-validator rule is asynchronous (looked at again when rules are added). */
function hasAsyncRules(): boolean {
  const { constraintMetadatas } = getMetadataStorage() as unknown as {
    constraintMetadatas: Map<unknown, { async: boolean }[]>;
  };
  if (constraintMetadatas.size !== constraintsSeen) {
    constraintsSeen = constraintMetadatas.size;
    asyncRules = [...constraintMetadatas.values()].some((rules) => rules.some((rule) => rule.async));
  }
  return asyncRules;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isDateOnly(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const match = DATE_ONLY.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** Today as `YYYY-MM-DD` in UTC, the bank's business-date convention here. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

function dateRule(
  name: string,
  check: (value: string, args: ValidationArguments) => boolean,
  message: (args: ValidationArguments) => string,
) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName,
      validator: {
        // Malformed dates are reported once, by isDateOnly; these rules only judge real dates.
        validate: (value: unknown, args: ValidationArguments) => !isDateOnly(value) || check(value, args),
        defaultMessage: message,
      },
    });
}

/** A real calendar date in `YYYY-MM-DD` form (ISO 8601 calendar date). */
export function IsDateOnly() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: "isDateOnly",
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => value === null || value === undefined || isDateOnly(value),
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} must be a calendar date written YYYY-MM-DD`,
      },
    });
}

/** Not after today (birth dates, issue dates). */
export function IsNotInFuture() {
  return dateRule(
    "isNotInFuture",
    (value) => value <= todayUtc(),
    (args) => `${args.property} must not be in the future`,
  );
}

/** Not before today (a document's expiry at onboarding). */
export function IsNotInPast() {
  return dateRule(
    "isNotExpired",
    (value) => value >= todayUtc(),
    (args) => `${args.property} must not be in the past: the document has expired`,
  );
}

/** Strictly after the sibling date field `other` (expiry after issue). */
export function IsAfterField(other: string) {
  return dateRule(
    `isAfter${other[0].toUpperCase()}${other.slice(1)}`,
    (value, args) => {
      const otherValue = (args.object as Record<string, unknown>)[other];
      return !isDateOnly(otherValue) || value > otherValue;
    },
    (args) => `${args.property} must be after ${other}`,
  );
}

/**
 * Length in characters as PostgreSQL counts them for varchar(n): Unicode code points, as
 * `[...value].length` counts them (a surrogate pair is one, half of one on its own is one too),
 * without making the array.
 */
function charCount(value: string): number {
  let count = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

function lengthRule(name: "minLength" | "maxLength", limit: number, holds: (count: number) => boolean) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName,
      constraints: [limit],
      validator: {
        // Absent optional values are left to the type (GraphQL) and to @IsOptional.
        validate: (value: unknown) => typeof value !== "string" || holds(charCount(value)),
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} must be ${name === "minLength" ? "at least" : "at most"} ${limit} characters`,
      },
    });
}

/**
 * At least `min` characters. Unlike class-validator's MinLength (validator.js), every code
 * point counts, variation selectors included, exactly as in the varchar column.
 */
export function MinChars(min: number) {
  return lengthRule("minLength", min, (count) => count >= min);
}

/** At most `max` characters, counted as the varchar column counts them (see {@link MinChars}). */
export function MaxChars(max: number) {
  return lengthRule("maxLength", max, (count) => count <= max);
}
