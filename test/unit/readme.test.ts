import fs from "node:fs";
import path from "node:path";
import { ERROR_CODES } from "../../common/errors";
import { projectRoot } from "../../common/paths";

describe("README", () => {
  it("When the error-code table is read, then it lists exactly the registry's codes, statuses and descriptions", () => {
    const readme = fs.readFileSync(path.join(projectRoot(), "README.md"), "utf8");
    const section = readme.split("## Error codes")[1].split("\n## ")[0];
    const rows = [...section.matchAll(/^\| `([A-Z_]+)` \| (\d+) \| (.+) \|$/gm)].map(
      ([, code, status, description]) => ({
        code,
        status: Number(status),
        description: description.replace(/\\\|/g, "|"),
      }),
    );
    expect(rows).toEqual(
      Object.entries(ERROR_CODES).map(([code, entry]) => ({
        code,
        status: entry.status,
        description: entry.description,
      })),
    );
  });

  it("When the quick start is read, then it is the two documented command lines", () => {
    const readme = fs.readFileSync(path.join(projectRoot(), "README.md"), "utf8");
    expect(readme).toContain("```sh\nnpm install && npm start\nnpm test\n```");
  });
});
