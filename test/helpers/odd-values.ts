/** Values of any kind, most of them wrong for the GraphQL type at hand: what property tests of input handling feed. */
import fc from "fast-check";

export const oddValue = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
  fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }),
  fc.constant({ stray: 1 }),
  fc.constant(Object.create(null) as object),
);
