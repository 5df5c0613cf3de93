/** `npm run compose`: regenerates schema/*.graphql and schema/openapi.json from the code. */
import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../common/paths";
import { generateSchemaFiles } from "../schema/generate";

generateSchemaFiles()
  .then((files) => {
    for (const [name, content] of Object.entries(files)) {
      fs.writeFileSync(path.join(projectRoot(), "schema", name), content);
      process.stdout.write(`wrote schema/${name}\n`);
    }
  })
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
