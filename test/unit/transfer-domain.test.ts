import { ibanProblem, normalizeIban } from "../../subgraphs/transfer/domain/iban";
import {
  isFinished,
  stepKey,
  TransferKind,
  TransferStatus,
} from "../../subgraphs/transfer/domain/transfer-status";

describe("IBAN", () => {
  it.each([
    ["DE89 3704 0044 0532 0130 00", null],
    ["gb82west12345698765432", null],
    ["NL91ABNA0417164300", null],
    ["DE88370400440532013000", "checksum"],
    ["DE8937040044053201300", "length"],
    ["DE89-3704-0044-0532-0130-00", "format"],
    ["XX", "format"],
  ])("When %s is checked, then the problem is %p", (value, problem) => {
    expect(ibanProblem(normalizeIban(value))).toBe(problem);
  });
});

describe("internal transfer states", () => {
  it("When a transfer is CREATED, then it can still finish; COMPLETED and FAILED are final", () => {
    expect(isFinished(TransferKind.INTERNAL, TransferStatus.CREATED)).toBe(false);
    expect(isFinished(TransferKind.INTERNAL, TransferStatus.COMPLETED)).toBe(true);
    expect(isFinished(TransferKind.INTERNAL, TransferStatus.FAILED)).toBe(true);
  });

  it("When a step's ledger key is derived, then it names the transfer and the step", () => {
    expect(stepKey("t-1", "payment")).toBe("transfer:t-1:payment");
  });
});
