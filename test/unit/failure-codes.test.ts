import { isErrorCode } from "../../common/errors";
import { LEDGER_REFUSALS, TRANSFER_FAILURE_CODES } from "../../subgraphs/transfer/domain/failure-codes";
import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../../common/paths";

describe("transfer failure codes", () => {
  it("When a transfer fails, then its code is one of a closed list: the ledger's registered refusals, or the rail's", () => {
    expect(Object.keys(TRANSFER_FAILURE_CODES).sort()).toEqual([...LEDGER_REFUSALS, "RAIL_REJECTED"].sort());
    for (const code of LEDGER_REFUSALS) expect(isErrorCode(code)).toBe(true);
    expect(isErrorCode("RAIL_REJECTED")).toBe(false);
  });

  it("When the README lists them, then it names every code of the list", () => {
    const readme = fs.readFileSync(path.join(projectRoot(), "README.md"), "utf8");
    const rule = readme.slice(readme.indexOf("- `failureCode` says why"), readme.indexOf("- Safety:"));
    for (const code of Object.keys(TRANSFER_FAILURE_CODES)) expect(rule).toContain(`\`${code}\``);
  });
});
