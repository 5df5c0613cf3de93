/**
 * `validateInput`, type-graphql's `validateFn` (common/validation.ts; decision 0045): synchronous
 * while every class-validator rule is, the same errors either way.
 */
import "reflect-metadata";
import { IsOptional, registerDecorator } from "class-validator";
import { AppError } from "../../common/errors";
import { MaxChars, validateInput } from "../../common/validation";

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

describe("validateInput", () => {
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
