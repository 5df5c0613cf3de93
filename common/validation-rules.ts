/**
 * What class-validator's `validateSync` checks of an input's class, worked out once per class
 * (decisions 0050 and 0059), so that a valid input is answered without class-validator: per
 * call, class-validator looks the class's rules up among every class's, groups them by property
 * and builds an error object per property, valid or not.
 */
import { getMetadataStorage, type ValidationArguments, ValidationTypes } from "class-validator";

/** One of class-validator's rules, as its metadata storage keeps it. */
interface RuleMetadata {
  type: string;
  propertyName: string;
  /** The condition for CONDITIONAL_VALIDATION; the constraint's arguments (a maximum, a pattern) otherwise. */
  constraints: unknown[];
  constraintCls?: unknown;
  each?: boolean;
  groups?: string[];
  always?: boolean;
}

/** A constraint class's registration: its instance holds the `validate` of every custom rule. */
interface ConstraintMetadata {
  async: boolean;
  instance: { validate(value: unknown, args: ValidationArguments): unknown };
}

/** The part of class-validator's metadata storage read here (its public methods and its rules by class). */
interface RuleStorage {
  validationMetadatas: Map<unknown, unknown[]>;
  getTargetValidationMetadatas(
    target: unknown,
    schema: string | undefined,
    always: boolean,
    strictGroups: boolean,
  ): RuleMetadata[];
  getTargetValidatorConstraints(target: unknown): ConstraintMetadata[];
}

/** A rule run through a constraint's `validate` (IS_DEFINED, and every built-in or registered decorator). */
interface ConstraintRule {
  metadata: RuleMetadata;
  constraint: ConstraintMetadata["instance"];
}

/** What class-validator checks of one property of a class. */
interface PropertyRules {
  name: string;
  /** `@IsOptional`, `@ValidateIf`: the property's rules run only when every one holds. */
  conditions: RuleMetadata[];
  rules: ConstraintRule[];
  /** `@ValidateNested`: the value's own rules (an array's items' own rules) are checked too. */
  nested: boolean;
  /** False when a rule is of a kind not mirrored here: only class-validator can tell whether it passes. */
  mirrored: boolean;
}

/** The rules of each class, with what they were worked out from ({@link rulesVersion}). */
const rulesByClass = new WeakMap<object, { version: number; properties: PropertyRules[] }>();

/**
 * True only when class-validator's `validateSync` would find no broken rule in `item`
 * (`forbidUnknownValues` off, no groups), having run the same checks with the same arguments;
 * false when a rule is broken, a check throws, or a rule is of a kind not mirrored here
 * (promise, whitelist, asynchronous, with groups or `always`; a nested Set or Map): then only
 * class-validator's answer counts. A property whose conditions fail is skipped, whatever its
 * rules, as class-validator skips it: a class without rules, or an empty filter, passes (0050).
 */
export function passesEveryRule(item: object): boolean {
  try {
    return passes(item);
  } catch {
    // class-validator runs the same check and throws as it does.
    return false;
  }
}

/** {@link passesEveryRule}, throwing what a check throws: class-validator's `execute`. */
function passes(object: object): boolean {
  const target = object.constructor;
  // An object without a class (a null prototype) is left to class-validator.
  if (typeof target !== "function") return false;
  const record = object as Record<string, unknown>;
  for (const property of rulesOf(target)) {
    const value = record[property.name];
    if (!conditionsHold(property, object, value)) continue;
    if (!property.mirrored) return false;
    for (const rule of property.rules) if (!rulePasses(rule, object, value)) return false;
    if (property.nested && !nestedPasses(value)) return false;
  }
  return true;
}

/** class-validator's `conditionalValidations`: every condition is asked, none skipped, as there. */
function conditionsHold(property: PropertyRules, object: object, value: unknown): boolean {
  let hold = true;
  for (const { constraints } of property.conditions) {
    hold = Boolean((constraints[0] as (object: object, value: unknown) => unknown)(object, value)) && hold;
  }
  return hold;
}

/** class-validator's `customValidations` for one rule: one value, or with `each` an array's items. */
function rulePasses({ metadata, constraint }: ConstraintRule, object: object, value: unknown): boolean {
  const args: ValidationArguments = {
    targetName: object.constructor ? object.constructor.name : (undefined as unknown as string),
    property: metadata.propertyName,
    object,
    value,
    constraints: metadata.constraints,
  };
  if (!metadata.each || !(Array.isArray(value) || value instanceof Set || value instanceof Map)) {
    return answersValid(constraint.validate(value, args));
  }
  const items: unknown[] =
    value instanceof Map ? [...value.values()] : Array.isArray(value) ? value : [...value];
  return items.every((item) => answersValid(constraint.validate(item, args)));
}

/** A constraint's answer that passes in `validateSync`: truthy, and not a promise (one is left to class-validator). */
function answersValid(answer: unknown): boolean {
  const promise =
    answer !== null && typeof answer === "object" && typeof (answer as Promise<unknown>).then === "function";
  return Boolean(answer) && !promise;
}

/** class-validator's `nestedValidations`: nothing, an array of what passes, or an object that passes. */
function nestedPasses(value: unknown): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.every((item) => nestedPasses(item));
  // A Set's or Map's items: not mirrored. A value that is not an object: a broken rule.
  if (value instanceof Set || value instanceof Map || !(value instanceof Object)) return false;
  return passes(value);
}

/** The rules of `target` as `validateSync` looks them up (no groups, no `always`), kept per class. */
function rulesOf(target: object): PropertyRules[] {
  const storage = getMetadataStorage() as unknown as RuleStorage;
  const version = rulesVersion(storage, target);
  const known = rulesByClass.get(target);
  if (known?.version === version) return known.properties;
  const byName = new Map<string, PropertyRules>();
  for (const rule of storage.getTargetValidationMetadatas(target, undefined, false, false)) {
    let property = byName.get(rule.propertyName);
    if (!property) {
      property = { name: rule.propertyName, conditions: [], rules: [], nested: false, mirrored: true };
      byName.set(rule.propertyName, property);
    }
    if (!addRule(storage, property, rule)) property.mirrored = false;
  }
  const properties = [...byName.values()];
  rulesByClass.set(target, { version, properties });
  return properties;
}

/**
 * Adds `rule` to what `property` checks; false when it is of a kind not mirrored here. Nested
 * rules are the value's class's own, looked up as any class's: class-validator's `execute` on a
 * nested value also names the declaring class as a schema, which only matters for rules
 * registered by schema, and those are kept apart from every class's.
 */
function addRule(storage: RuleStorage, property: PropertyRules, rule: RuleMetadata): boolean {
  const plain = !rule.groups?.length && !rule.always;
  switch (rule.type) {
    case ValidationTypes.CONDITIONAL_VALIDATION:
      property.conditions.push(rule);
      return plain;
    case ValidationTypes.NESTED_VALIDATION:
      property.nested = true;
      return plain;
    case ValidationTypes.IS_DEFINED:
    case ValidationTypes.CUSTOM_VALIDATION: {
      // The instance is taken once: class-validator's own container keeps one per constraint class.
      const constraints = storage.getTargetValidatorConstraints(rule.constraintCls);
      for (const { instance } of constraints) property.rules.push({ metadata: rule, constraint: instance });
      return plain && constraints.every((constraint) => !constraint.async);
    }
    default:
      return false;
  }
}

/**
 * What the rules of `target` are worked out from: how many classes have rules, plus how many
 * rules `target` and each of its ancestors have. Rules are only ever added (as classes are
 * declared, mostly), so any rule added later that could apply to `target` changes the sum.
 */
function rulesVersion(storage: RuleStorage, target: object): number {
  let version = storage.validationMetadatas.size;
  for (let prototype = (target as { prototype?: object }).prototype; prototype;) {
    version += storage.validationMetadatas.get(prototype.constructor)?.length ?? 0;
    prototype = Object.getPrototypeOf(prototype) as object | undefined;
  }
  return version;
}
