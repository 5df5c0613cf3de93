import { isDateOnly, todayUtc } from "../../common/validation";

describe("date rules", () => {
  it.each(["2024-02-29", "1990-01-31", "2000-12-01"])(
    "When the date is %s, then it is a calendar date",
    (value) => {
      expect(isDateOnly(value)).toBe(true);
    },
  );

  it.each(["2023-02-29", "1990-13-01", "1990-1-1", "2019-08-24T00:00:00Z", "yesterday", "", 20190824])(
    "When the date is %p, then it is refused",
    (value) => {
      expect(isDateOnly(value)).toBe(false);
    },
  );

  it("When asked for today, then it is the UTC date", () => {
    expect(todayUtc(new Date("2026-03-01T23:30:00-05:00"))).toBe("2026-03-02");
  });
});
