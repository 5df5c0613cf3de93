import { toGraphQLEnumName, toRestSpelling } from "../../common/enum-spelling";
import * as enums from "../../subgraphs/client/domain/enums";

const documented = Object.values(enums).flatMap((e) => Object.entries(e as Record<string, string>));

describe("REST <-> GraphQL enum spelling", () => {
  it.each(documented)(
    "When the GraphQL name is %s, then the documented spelling is %s and back",
    (name, spelling) => {
      expect(toGraphQLEnumName(spelling)).toBe(name);
      expect(toRestSpelling(name)).toBe(spelling);
    },
  );

  it("When a value has digits and capitals, then both directions keep them", () => {
    expect(toGraphQLEnumName("between100KAnd500KEur")).toBe("BETWEEN_100K_AND_500K_EUR");
    expect(toRestSpelling("BELLOW_100K_EUR")).toBe("bellow100KEur");
  });
});
