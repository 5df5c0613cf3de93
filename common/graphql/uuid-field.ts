/**
 * An `ID` field of an input or args type that must hold a UUID: type-graphql's `@Field(() => ID)`
 * with class-validator's `@IsUUID()` (and `@IsOptional()` when it may be left out), in one
 * decorator, so that every id input is declared the same way.
 */
import { IsOptional, IsUUID } from "class-validator";
import { Field, ID } from "type-graphql";

export function UuidField(options: { nullable?: boolean; description?: string } = {}): PropertyDecorator {
  return (target, key) => {
    const property = String(key);
    Field(() => ID, { nullable: options.nullable, description: options.description })(target, property);
    if (options.nullable) IsOptional()(target, property);
    IsUUID()(target, property);
  };
}

/** The rule of a `clientId` filter, as the schema describes it. */
export const CLIENT_FILTER_DESCRIPTION =
  "Required for system callers; a front-office caller's own client by default.";
