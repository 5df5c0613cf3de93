import { CallerLimits, type Release } from "../../gateway/subscriptions/limits";

describe("limits per caller of the graphql-ws endpoint", () => {
  const ann = { kind: "client", subject: "ann", clientId: "c-1" } as const;
  const bob = { kind: "client", subject: "bob", clientId: "c-1" } as const;
  const system = { kind: "system", subject: "ops" } as const;

  it("When a subject holds its maximum of sockets, then one more is refused until one is released, however often", () => {
    const limits = new CallerLimits({ maxConnectionsPerCaller: 2, maxPerCaller: 1 });
    const first = limits.connect(ann)!;
    expect(limits.connect(ann)).toBeDefined();
    expect(limits.connect(ann)).toBeUndefined();
    expect(limits.connect(bob)).toBeDefined(); // sockets count per subject only
    first();
    first(); // a second release gives nothing back twice
    expect(limits.connect(ann)).toBeDefined();
    expect(limits.connect(ann)).toBeUndefined();
  });

  it("When a client's users together hold the maximum of operations, then the next is refused as the client's; a system caller counts alone", () => {
    const limits = new CallerLimits({ maxConnectionsPerCaller: 1, maxPerCaller: 2 });
    const held = [limits.operate(ann), limits.operate(bob)] as Release[];
    expect(held.every((slot) => typeof slot === "function")).toBe(true);
    expect(limits.operate(bob)).toEqual({ full: "client" });
    expect(typeof limits.operate(system)).toBe("function");
    expect(typeof limits.operate(system)).toBe("function");
    expect(limits.operate(system)).toEqual({ full: "caller" });
    held[0]();
    expect(typeof limits.operate(bob)).toBe("function");
  });
});
