/**
 * `passesEveryRule` (common/validation-rules.ts, decision 0059): a valid input is answered
 * without class-validator, and `validateInput` reports for every input exactly what
 * class-validator's `validateSync` reports.
 */
import "reflect-metadata";
import * as classValidator from "class-validator";
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  IsDefined,
  IsIn,
  IsInt,
  IsISO4217CurrencyCode,
  IsNotEmpty,
  IsOptional,
  IsUUID,
  Length,
  Matches,
  Min,
  registerDecorator,
  Validate,
  type ValidationArguments,
  ValidateIf,
  ValidateNested,
  ValidatePromise,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from "class-validator";
import fc from "fast-check";
import type { AppError } from "../../common/errors";
import { MaxChars, MinChars, toFieldErrors, validateInput } from "../../common/validation";
import { passesEveryRule } from "../../common/validation-rules";
import {
  CreatePaymentArgs,
  CreatePaymentsArgs,
  PaymentBatchInput,
  PaymentInput,
} from "../../subgraphs/ledger/graphql/inputs";

const UUID = "2b9e5a52-8d0b-4c4e-9a53-3f7c6f7b1f10";

/** Rules on some fields only, one behind `@IsOptional`. */
class Payment {
  @IsUUID() debitAccountId?: unknown;
  @Matches(/^\d{1,3}(\.\d+)?$/) amount?: unknown;
  @MinChars(1) @MaxChars(5) description?: unknown;
  @IsOptional() @IsISO4217CurrencyCode() currency?: unknown;
  note?: unknown;
}

/** `each`, a condition on another field, IS_DEFINED, two rules on one field. */
class Tags {
  @IsOptional() @Length(1, 3, { each: true }) @ArrayMaxSize(2) labels?: unknown;
  @IsInt({ each: true }) @Min(1, { each: true }) counts?: unknown;
  @ValidateIf((tags: Tags) => tags.labels !== undefined) @IsDefined() reason?: unknown;
  @IsIn(["a", "b"]) @IsNotEmpty() kind?: unknown;
}

/**
 * Inherits Payment's rules; its own rule on `description` replaces the inherited ones of the same
 * kind (class-validator keeps a class's own rule over an inherited one of that property and kind).
 */
class BatchPayment extends Payment {
  @MaxChars(2) override description?: unknown;
  @Length(1, 4) idempotencyKey?: unknown;
}

/** Nested inputs: one, an optional one, a list. */
class Order {
  @ValidateNested() payment?: unknown;
  @IsOptional() @ValidateNested() tags?: unknown;
  @ValidateNested() @ArrayMinSize(1) lines?: unknown;
}

/** What a constraint class was given, to compare with what class-validator gives it. */
const given: ValidationArguments[] = [];

@ValidatorConstraint({ name: "lengthParity" })
class LengthParity implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments) {
    given.push(args);
    return typeof value === "string" && value.length % 2 === args.constraints[0];
  }
  defaultMessage(args: ValidationArguments) {
    return `${args.property} of ${args.targetName} must have a length of parity ${args.constraints[0]}`;
  }
}

/** A rule registered with an object validator that reads a sibling field. */
function SameAs(other: string) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: "sameAs",
      target: target.constructor,
      propertyName,
      constraints: [other],
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          value === (args.object as Record<string, unknown>)[args.constraints[0] as string],
        defaultMessage: (args: ValidationArguments) => `${args.property} must equal ${args.constraints[0]}`,
      },
    });
}

class Code {
  @Validate(LengthParity, [0]) code?: unknown;
  @SameAs("code") repeated?: unknown;
}

const OPTIONS = { forbidUnknownValues: false, validationError: { target: false, value: false } };

/** The field errors of `item` straight from class-validator, as validateInput reported them before. */
const classValidatorErrors = (item: object) => toFieldErrors(classValidator.validateSync(item, OPTIONS));

const validateSync = jest.spyOn(classValidator, "validateSync");

/** The field errors validateInput throws for `item`, and whether it asked class-validator. */
function validated(item: object): { fields: unknown[]; asked: boolean } {
  const before = validateSync.mock.calls.length;
  let fields: unknown[] = [];
  try {
    expect(validateInput(item)).toBeUndefined();
  } catch (error) {
    fields = (error as AppError).details!.fields as unknown[];
  }
  return { fields, asked: validateSync.mock.calls.length > before };
}

/** validateInput reports what class-validator reports, and asks it exactly when that is not "no error". */
function expectSameAsClassValidator(item: object) {
  const expected = classValidatorErrors(item);
  const { fields, asked } = validated(item);
  expect(fields).toEqual(expected);
  expect(asked).toBe(expected.length > 0);
}

const make = <T extends object>(type: new () => T, fields: Record<string, unknown>) =>
  Object.assign(new type(), fields);

const payment = (fields: Record<string, unknown> = {}) =>
  make(Payment, { debitAccountId: UUID, amount: "1.50", description: "rent", ...fields });

describe("passesEveryRule", () => {
  it("When inputs are valid or not, with optional fields absent or null, then the errors are class-validator's own", () => {
    const items = [
      payment(),
      payment({ currency: "EUR", note: "anything" }),
      payment({ currency: null }),
      payment({ currency: "EURO" }),
      payment({ debitAccountId: "nope", amount: "1e3", description: "" }),
      payment({ description: "too long" }),
      payment({ amount: null }),
      make(Payment, {}),
      make(Tags, { counts: [1, 2], kind: "a" }),
      make(Tags, { counts: [1, 0], kind: "a" }),
      make(Tags, { counts: new Set([1, 2]), kind: "b" }),
      make(Tags, { counts: new Map([["x", 0]]), kind: "b" }),
      make(Tags, { counts: 3, kind: "" }),
      make(Tags, { counts: [], kind: "a", labels: ["x", "yz"], reason: "why" }),
      make(Tags, { counts: [], kind: "a", labels: ["x", "long"], reason: null }),
      make(Tags, { counts: [], kind: "a", labels: ["x", "y", "z"] }),
      make(Tags, { counts: [1.5], kind: "c", labels: null, reason: null }),
      make(BatchPayment, { debitAccountId: UUID, amount: "1", description: "ab", idempotencyKey: "k" }),
      make(BatchPayment, { debitAccountId: UUID, amount: "1", description: "", idempotencyKey: "k" }),
      make(BatchPayment, { debitAccountId: UUID, amount: "1", description: "abc", idempotencyKey: "" }),
      make(BatchPayment, { debitAccountId: 7, amount: "1", description: "ab", idempotencyKey: "k" }),
      make(Code, { code: "ab", repeated: "ab" }),
      make(Code, { code: "abc", repeated: "ab" }),
    ];
    for (const item of items) expectSameAsClassValidator(item);
  });

  it("When inputs are nested, then valid ones pass and every other is class-validator's to report", () => {
    const tags = make(Tags, { counts: [1], kind: "a" });
    const items = [
      make(Order, { payment: payment(), lines: [payment(), payment({ currency: "USD" })] }),
      make(Order, { payment: payment(), lines: [payment()], tags }),
      make(Order, { payment: payment(), lines: [payment()], tags: null }),
      make(Order, { payment: payment({ amount: "x" }), lines: [payment()] }),
      make(Order, { payment: payment(), lines: [payment(), payment({ description: "" })] }),
      make(Order, { payment: payment(), lines: [payment()], tags: make(Tags, { counts: [0], kind: "a" }) }),
      make(Order, { payment: null, lines: [payment()] }),
      make(Order, { payment: "a payment", lines: [payment()] }),
      make(Order, { payment: {}, lines: [undefined, [payment(), [payment()]]] }),
      make(Order, { payment: payment(), lines: [payment(), null] }),
      make(Order, { payment: payment(), lines: [payment(), 1] }),
      make(Order, { payment: payment(), lines: [[payment({ debitAccountId: "x" })]] }),
      make(Order, { payment: payment(), lines: [] }),
      make(Order, { lines: [payment()] }),
      make(Order, { payment: Object.create(null) as object, lines: [payment()] }),
    ];
    for (const item of items) expectSameAsClassValidator(item);
    // A nested Set is not mirrored: class-validator answers, even when there is no error.
    const inSet = make(Order, { payment: payment(), lines: new Set([payment()]) });
    expect(validated(inSet)).toEqual({ fields: classValidatorErrors(inSet), asked: true });
  });

  it("When a constraint is asked, then it is given the arguments class-validator gives it", () => {
    const item = make(Code, { code: "abcd", repeated: "abcd" });
    given.length = 0;
    expect(classValidatorErrors(item)).toEqual([]);
    const fromClassValidator = given.splice(0);
    expect(passesEveryRule(item)).toBe(true);
    expect(given).toEqual(fromClassValidator);
    expect(given.map((args) => Object.keys(args))).toEqual(
      fromClassValidator.map((args) => Object.keys(args)),
    );
    expect(given[0]).toMatchObject({ targetName: "Code", property: "code", object: item, value: "abcd" });
    expect(given[0].constraints).toBe(fromClassValidator[0].constraints);
  });

  it("When the ledger's payment arguments are valid, then class-validator is not asked; when not, it reports", () => {
    const input = make(PaymentInput, {
      debitAccountId: UUID,
      creditAccountId: UUID,
      amount: "10.50",
      description: "rent",
    });
    const args = make(CreatePaymentArgs, { input, idempotencyKey: "key-1" });
    expect(validated(args)).toEqual({ fields: [], asked: false });
    expectSameAsClassValidator(make(CreatePaymentArgs, { input, idempotencyKey: "" }));
    expectSameAsClassValidator(
      make(CreatePaymentArgs, { input: make(PaymentInput, { description: "" }), idempotencyKey: "k" }),
    );
    const item = (description: string) =>
      make(PaymentBatchInput, {
        debitAccountId: UUID,
        creditAccountId: UUID,
        amount: "1",
        description,
        idempotencyKey: "k",
      });
    expect(
      validated(make(CreatePaymentsArgs, { payments: [item("a"), item("b")], allOrNothing: false })),
    ).toEqual({
      fields: [],
      asked: false,
    });
    expectSameAsClassValidator(
      make(CreatePaymentsArgs, { payments: [item("a"), item("")], allOrNothing: false }),
    );
    expectSameAsClassValidator(make(CreatePaymentsArgs, { payments: [], allOrNothing: true }));
  });

  it("When rules are added to a class, its parent or a nested class after first use, then they are checked", () => {
    class Inner {
      name?: unknown;
    }
    class Outer {
      @ValidateNested() inner?: unknown;
    }
    class Base {
      code?: unknown;
    }
    class Derived extends Base {
      @IsOptional() other?: unknown;
    }
    const outer = make(Outer, { inner: make(Inner, { name: "abc" }) });
    const derived = make(Derived, { code: "abc" });
    expect(validated(outer)).toEqual({ fields: [], asked: false });
    expect(validated(derived)).toEqual({ fields: [], asked: false });
    MaxChars(2)(Inner.prototype, "name");
    MaxChars(2)(Base.prototype, "code");
    for (const item of [outer, derived]) {
      expect(classValidatorErrors(item)).toHaveLength(1);
      expectSameAsClassValidator(item);
    }
  });

  it("When a rule is of a kind not mirrored, then class-validator answers whenever the rule is not skipped", () => {
    class Unusual {
      @IsOptional() @IsInt({ groups: ["back-office"] }) level?: unknown;
      @IsOptional() @IsInt({ always: true }) always?: unknown;
      @IsOptional() @Allow() note?: unknown;
      @IsOptional() @ValidatePromise() @ValidateNested() later?: unknown;
    }
    expect(validated(new Unusual())).toEqual({ fields: [], asked: false });
    for (const fields of [{ level: 1 }, { level: "x" }, { always: 2 }, { note: "n" }, { later: payment() }]) {
      const item = make(Unusual, fields);
      expect(passesEveryRule(item)).toBe(false);
      expect(validated(item).fields).toEqual(classValidatorErrors(item));
    }
  });

  it("When a synchronous rule answers with a promise, then class-validator answers (it finds no error)", () => {
    class Eventually {
      value?: unknown;
    }
    registerDecorator({
      name: "eventually",
      target: Eventually,
      propertyName: "value",
      validator: { validate: (value: unknown) => Promise.resolve(value === "yes") },
    });
    for (const value of ["yes", "no"]) {
      const item = make(Eventually, { value });
      expect(classValidatorErrors(item)).toEqual([]);
      expect(validated(item)).toEqual({ fields: [], asked: true });
    }
  });

  it("When a rule or a condition throws, then validateInput throws what class-validator throws", () => {
    const explodes = (value: unknown) => {
      if (value === "boom") throw new Error(`boom in ${String(value)}`);
      return true;
    };
    @ValidatorConstraint({ name: "explodes" })
    class Explodes implements ValidatorConstraintInterface {
      validate = explodes;
    }
    class Fragile {
      @IsOptional() @Validate(Explodes) rule?: unknown;
      // class-validator asks every condition, also after one that fails (the lower decorator's is first).
      @ValidateIf((fragile: Fragile) => explodes(fragile.condition))
      @ValidateIf(() => false)
      @IsInt()
      condition?: unknown;
    }
    for (const fields of [{ rule: "boom" }, { condition: "boom" }]) {
      const item = make(Fragile, fields);
      expect(() => classValidator.validateSync(item, OPTIONS)).toThrow("boom in boom");
      expect(() => validateInput(item)).toThrow("boom in boom");
    }
    expect(validated(make(Fragile, { rule: "fine", condition: "fine" }))).toEqual({
      fields: [],
      asked: false,
    });
  });

  it("When inputs are made at random, then validateInput reports class-validator's errors and asks it only when there are some", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "1", ".", "-", "é"), maxLength: 6 });
    const value = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.constantFrom(UUID, "EUR", "a", "b", "1.5", "12"),
      text,
      fc.integer({ min: -2, max: 3 }),
      fc.array(fc.oneof(text, fc.integer({ min: -1, max: 2 })), { maxLength: 3 }),
    );
    const fields = (...names: string[]) => fc.record(Object.fromEntries(names.map((name) => [name, value])));
    const paymentArb = fields("debitAccountId", "amount", "description", "currency").map((f) =>
      make(Payment, f),
    );
    const tagsArb = fields("labels", "counts", "reason", "kind").map((f) => make(Tags, f));
    const batchArb = fields("debitAccountId", "amount", "description", "idempotencyKey").map((f) =>
      make(BatchPayment, f),
    );
    const orderArb = fc
      .record({
        payment: fc.oneof(paymentArb, value),
        tags: fc.oneof(tagsArb, fc.constant(undefined)),
        lines: fc.oneof(fc.array(fc.oneof(paymentArb, batchArb), { maxLength: 3 }), value),
      })
      .map((f) => make(Order, f));
    fc.assert(
      fc.property(fc.oneof(paymentArb, tagsArb, batchArb, orderArb), (item) => {
        expectSameAsClassValidator(item);
        expect(passesEveryRule(item)).toBe(classValidatorErrors(item).length === 0);
      }),
      { numRuns: 2000 },
    );
  });
});
