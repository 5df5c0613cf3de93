/** The committed contract files must be exactly what the code builds (`npm run compose`). */
import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../../common/paths";
import { generateSchemaFiles } from "../../schema/generate";

describe("committed schema files", () => {
  it("When the schema is built from the code, then every committed file under schema/ is identical", async () => {
    const files = await generateSchemaFiles();
    expect(Object.keys(files).sort()).toEqual([
      "client.graphql",
      "ledger.graphql",
      "openapi.json",
      "supergraph.graphql",
      "transfer.graphql",
    ]);
    for (const [name, content] of Object.entries(files)) {
      const committed = fs.readFileSync(path.join(projectRoot(), "schema", name), "utf8");
      // A failure here means: run `npm run compose` and commit the result.
      expect({ name, content: committed }).toEqual({ name, content });
    }
  });
});
