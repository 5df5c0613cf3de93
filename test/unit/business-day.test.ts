import {
  businessDayOf,
  daysToClose,
  isBusinessDay,
  lastDueDay,
} from "../../subgraphs/ledger/domain/business-day";

describe("business days", () => {
  it("When an instant is 23:30 UTC in British Summer Time, then it belongs to the next London day", () => {
    expect(businessDayOf(new Date("2025-06-10T23:30:00Z"), "Europe/London")).toBe("2025-06-11");
    expect(businessDayOf(new Date("2025-01-10T23:30:00Z"), "Europe/London")).toBe("2025-01-10");
  });

  it("When the grace has not passed after midnight, then the day before is not due yet", () => {
    expect(lastDueDay(new Date("2025-01-11T00:05:00Z"), "Europe/London", 10)).toBe("2025-01-09");
    expect(lastDueDay(new Date("2025-01-11T00:10:00Z"), "Europe/London", 10)).toBe("2025-01-10");
  });

  it("When days were closed before, then closing continues from the next one to the last due day", () => {
    const now = new Date("2025-01-11T06:00:00Z");
    expect(daysToClose("2025-01-08", "2024-12-01", now, "Europe/London", 10)).toEqual([
      "2025-01-09",
      "2025-01-10",
    ]);
    expect(daysToClose(null, "2025-01-10", now, "Europe/London", 10)).toEqual(["2025-01-10"]);
    expect(daysToClose("2025-01-10", null, now, "Europe/London", 10)).toEqual([]);
    expect(daysToClose(null, null, now, "Europe/London", 10)).toEqual([]);
  });

  it("When a date is not a real YYYY-MM-DD, then it is no business day", () => {
    expect(isBusinessDay("2025-02-29")).toBe(false);
    expect(isBusinessDay("2024-02-29")).toBe(true);
    expect(isBusinessDay("2025-1-01")).toBe(false);
  });
});
