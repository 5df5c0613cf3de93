import { AppError } from "../../common/errors";
import {
  assertCanUnblock,
  assertStatusTransition,
  CLIENT_STATUS_TRANSITIONS,
  initialStatus,
} from "../../subgraphs/client/domain/client-status";
import { ClientStatus, RiskLevel } from "../../subgraphs/client/domain/enums";

const all = Object.values(ClientStatus);

describe("client status machine", () => {
  // The decided table (docs/decisions/0004-client-status.md), written out rather than read from the code.
  const ALLOWED: Record<string, string[]> = {
    inactive: ["active", "blocked"],
    active: ["inactive", "blocked"],
    blocked: ["active"],
  };

  it.each(all.flatMap((from) => all.map((to) => [from, to] as const)))(
    "When moving %s -> %s, then it is allowed exactly when the decided table says so",
    (from, to) => {
      if (ALLOWED[from].includes(to)) {
        expect(() => assertStatusTransition(from, to)).not.toThrow();
      } else {
        expect(() => assertStatusTransition(from, to)).toThrow(
          expect.objectContaining({ code: "CLIENT_INVALID_STATUS_TRANSITION" }),
        );
      }
    },
  );

  it("When a client is blocked, then only ACTIVE is reachable from it", () => {
    expect(CLIENT_STATUS_TRANSITIONS[ClientStatus.BLOCKED]).toEqual([ClientStatus.ACTIVE]);
  });

  it("When unblocking a client that is not blocked, then CLIENT_INVALID_STATUS_TRANSITION names both statuses", () => {
    let error: unknown;
    try {
      assertCanUnblock(ClientStatus.ACTIVE);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).details).toEqual({ from: "ACTIVE", to: "ACTIVE" });
    expect(() => assertCanUnblock(ClientStatus.BLOCKED)).not.toThrow();
  });

  it("When a client is imported, then it starts ACTIVE unless its risk is prohibited", () => {
    expect(initialStatus(RiskLevel.LOW)).toBe(ClientStatus.ACTIVE);
    expect(initialStatus(RiskLevel.HIGH)).toBe(ClientStatus.ACTIVE);
    expect(initialStatus(RiskLevel.PROHIBITED)).toBe(ClientStatus.BLOCKED);
  });
});
