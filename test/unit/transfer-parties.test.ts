/** Both sides of a movement (decision 0026): who is which side, and what the counterparty sees. */
import {
  counterpartyEvent,
  counterpartyView,
  isCounterpartyView,
  sideOf,
  WITHHELD_ACTOR,
} from "../../subgraphs/transfer/domain/parties";
import type { TransferRow } from "../../subgraphs/transfer/persistence/entities";

describe("transfer parties", () => {
  it("When a client is the owner, the credited client or neither, then sideOf says so", () => {
    const parties = { clientId: "a", counterClientId: "b" };
    expect(sideOf("a", parties)).toBe("owner");
    expect(sideOf("b", parties)).toBe("counterparty");
    expect(sideOf("c", parties)).toBeNull();
    expect(sideOf("a", { clientId: "a", counterClientId: "a" })).toBe("owner");
  });

  it("When the counterparty reads a transfer, then the payer's client, account, payment, failure and key are withheld", () => {
    const row = {
      id: "t",
      clientId: "a",
      accountId: "acc-a",
      counterAccountId: "acc-b",
      counterClientId: "b",
      amount: "4.00",
      reference: "Dinner",
      paymentId: "p",
      failureCode: "INSUFFICIENT_FUNDS",
      idempotencyKey: "k",
      lastError: "x",
    } as unknown as TransferRow;
    const view = counterpartyView(row);
    expect(view).toMatchObject({
      id: "t",
      amount: "4.00",
      reference: "Dinner",
      counterAccountId: "acc-b",
      clientId: null,
      accountId: null,
      paymentId: null,
      failureCode: null,
      idempotencyKey: "",
      lastError: null,
    });
    expect(isCounterpartyView(view)).toBe(true);
    expect(isCounterpartyView(row)).toBe(false);
    expect(counterpartyEvent({ changedBy: "user-a", reason: "INSUFFICIENT_FUNDS", sequence: 2 })).toEqual({
      changedBy: WITHHELD_ACTOR,
      reason: null,
      sequence: 2,
    });
  });
});
