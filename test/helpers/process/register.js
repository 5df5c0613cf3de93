/**
 * A require hook for child processes of the tests: compiles the project's TypeScript with
 * @swc/core the way jest.config.js does, so a test can run a real service in a process of its
 * own (`node -r test/helpers/process/register.js test/helpers/process/serve.ts ...`).
 */
const fs = require("node:fs");
const { transformSync } = require("@swc/core");

require.extensions[".ts"] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, "utf8"), {
    filename,
    jsc: {
      target: "es2022",
      parser: { syntax: "typescript", decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    },
    module: { type: "commonjs" },
  });
  module._compile(code, filename);
};
