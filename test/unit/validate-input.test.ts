/**
 * `validateInput`, type-graphql's `validateFn` (common/validation.ts; decision 0045): synchronous
 * while every class-validator rule is, the same errors either way.
 */
import "reflect-metadata";
import { IsInt, IsOptional, IsUUID, Min, registerDecorator, ValidateIf, validateSync } from "class-validator";
import { AppError } from "../../common/errors";
import { MaxChars, textErrors, toFieldErrors, validateInput } from "../../common/validation";
import { passesEveryRule } from "../../common/validation-rules";

class Filter {
  @IsOptional()
  @MaxChars(3)
  search?: string | null;
}

const filter = (search?: string) => Object.assign(new Filter(), search === undefined ? {} : { search });

/** The error `validateInput` throws or rejects with for `value`. */
async function refusal(value: unknown): Promise<AppError> {
  try {
    await validateInput(value);
  } catch (error) {
    return error as AppError;
  }
  throw new Error("validateInput accepted it");
}

/** No rule at all, as a list's `first` and `after` (PageArgs). */
class Page {
  first?: number | null;
  after?: string | null;
}

/** Every rule behind a condition, as a list's filter. */
class ListFilter {
  @IsOptional()
  @IsUUID()
  clientId?: string | null;

  @ValidateIf((filter: ListFilter) => filter.clientId !== undefined)
  @IsInt()
  @Min(1)
  limit?: number;
}

/** One rule with no condition: always checked. */
class Required {
  @IsUUID()
  id?: string;
}

/** Inherits ListFilter's rules and adds one. */
class WiderFilter extends ListFilter {
  @IsOptional()
  @MaxChars(2)
  search?: string | null;
}

/** The field errors of `item` straight from class-validator, as validateInput reported them before decision 0050. */
const classValidatorErrors = (item: object) =>
  toFieldErrors(
    validateSync(item, { forbidUnknownValues: false, validationError: { target: false, value: false } }),
  );

/** The field errors validateInput throws for `item` (none: []). */
function fieldErrors(item: object) {
  try {
    // Synchronous while every rule is (the asynchronous case is the last test's).
    expect(validateInput(item)).toBeUndefined();
    return [];
  } catch (error) {
    return (error as AppError).details!.fields as unknown[];
  }
}

describe("validateInput", () => {
  it("When a class has no rule or every rule is behind a failing condition, then it passes without class-validator", () => {
    expect(passesEveryRule(new Page())).toBe(true);
    expect(passesEveryRule(Object.assign(new Page(), { first: 20 }))).toBe(true);
    expect(passesEveryRule(new ListFilter())).toBe(true);
    // `limit`'s condition holds for a null clientId (not undefined): its rules are checked, and broken.
    expect(passesEveryRule(Object.assign(new ListFilter(), { clientId: null }))).toBe(false);
    expect(passesEveryRule(new WiderFilter())).toBe(true);
    expect(passesEveryRule({})).toBe(true);
    expect(passesEveryRule(Object.assign(new ListFilter(), { clientId: "x" }))).toBe(false);
    expect(passesEveryRule(Object.assign(new ListFilter(), { limit: 0 }))).toBe(true);
    expect(passesEveryRule(Object.assign(new WiderFilter(), { search: "abc" }))).toBe(false);
    expect(passesEveryRule(new Required())).toBe(false);
    // An object without a class is left to class-validator.
    expect(passesEveryRule(Object.create(null) as object)).toBe(false);
  });

  it("When some are checked and some skipped, then the errors are class-validator's own", () => {
    const items = [
      new Page(),
      Object.assign(new Page(), { first: 20, after: "x" }),
      new ListFilter(),
      Object.assign(new ListFilter(), { clientId: "not-a-uuid" }),
      Object.assign(new ListFilter(), { clientId: "not-a-uuid", limit: 0 }),
      Object.assign(new ListFilter(), { clientId: undefined, limit: 0 }),
      Object.assign(new ListFilter(), { clientId: null }),
      Object.assign(new ListFilter(), { clientId: "2b9e5a52-8d0b-4c4e-9a53-3f7c6f7b1f10", limit: 2 }),
      new Required(),
      Object.assign(new Required(), { id: "nope" }),
      new WiderFilter(),
      Object.assign(new WiderFilter(), { search: "abc" }),
      Object.assign(new WiderFilter(), { search: "ab", clientId: "nope" }),
    ];
    for (const item of items) expect(fieldErrors(item)).toEqual(classValidatorErrors(item));
  });

  it("When a rule is added to a class after it was validated, then the rule is checked", () => {
    class Later {
      code?: string;
    }
    expect(fieldErrors(Object.assign(new Later(), { code: "abc" }))).toEqual([]);
    MaxChars(2)(Later.prototype, "code");
    expect(fieldErrors(Object.assign(new Later(), { code: "abc" }))).toEqual([
      expect.objectContaining({ field: "code", rule: "maxLength" }),
    ]);
    expect(passesEveryRule(Object.assign(new Later(), { code: "abc" }))).toBe(false);
  });

  it("When every rule is synchronous, then a valid input, a number and nothing are answered at once", () => {
    expect(validateInput(filter("abc"))).toBeUndefined();
    expect(validateInput(20)).toBeUndefined();
    expect(validateInput(undefined)).toBeUndefined();
    expect(validateInput([filter(), filter("ab")])).toBeUndefined();
  });

  it("When a rule is broken, then VALIDATION_FAILED is thrown at once, field rules before text rules", () => {
    expect(() => validateInput(filter("abcd\u0000"))).toThrow(AppError);
    const error = (() => {
      try {
        // Synchronous: nothing to wait for (an answer of undefined, or a throw).
        expect(validateInput([filter(), filter("abcd\u0000")])).toBeUndefined();
      } catch (thrown) {
        return thrown as AppError;
      }
    })();
    expect(error?.code).toBe("VALIDATION_FAILED");
    expect((error?.details as { fields: { field: string; rule: string }[] }).fields).toEqual([
      expect.objectContaining({ field: "1.search", rule: "maxLength" }),
      expect.objectContaining({ field: "1.search", rule: "noControlCharacters" }),
    ]);
  });

  it("When an asynchronous rule exists, then inputs are validated asynchronously, with the same errors", async () => {
    const before = await refusal([filter(), filter("abcd\u0000")]);
    class Slow {
      value?: string;
    }
    registerDecorator({
      name: "eventuallyShort",
      target: Slow,
      propertyName: "value",
      async: true,
      validator: { validate: async (value: unknown) => typeof value === "string" && value.length < 2 },
    });
    const answered = validateInput(filter("abc"));
    expect(answered).toBeInstanceOf(Promise);
    await answered;
    const after = await refusal([filter(), filter("abcd\u0000")]);
    expect(after.details).toEqual(before.details);
    const slow = await refusal(Object.assign(new Slow(), { value: "long" }));
    expect(slow.details).toEqual({
      fields: [expect.objectContaining({ field: "value", rule: "eventuallyShort" })],
    });
  });
});

describe("textErrors", () => {
  it.each([
    ["plain text, tabs and line ends", { a: "x\ty\r\nz", b: ["é", "✓"] }, []],
    ["a well-formed surrogate pair", { a: "😀", "😀": "b" }, []],
    ["a control character", { a: "x\u0001" }, [["a", "noControlCharacters"]]],
    ["DEL", { a: ["ok", "\u007F"] }, [["a.1", "noControlCharacters"]]],
    ["a lone high surrogate", { a: { b: "x\uD83D" } }, [["a.b", "wellFormedUnicode"]]],
    ["a lone low surrogate", { a: "\uDE00y" }, [["a", "wellFormedUnicode"]]],
    ["a key with a control character", { "k\u0000": "v" }, [["k\u0000", "noControlCharacters"]]],
  ])("When an input holds %s, then exactly its broken rules are named", (_name, value, expected) => {
    expect(textErrors(value).map(({ field, rule }) => [field, rule])).toEqual(expected);
  });
});
