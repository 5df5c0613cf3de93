// One lint setup for the whole repository, run by `npm run check`.
const js = require("@eslint/js");
const tseslint = require("typescript-eslint");

module.exports = tseslint.config(
  { ignores: ["dist/", "node_modules/", ".data/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      // A promise nobody awaits loses its error: in a bank's API that is a silent half-applied change.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // GraphQL results in tests are loosely typed on purpose.
      "@typescript-eslint/no-explicit-any": "off",
      "no-restricted-properties": [
        "error",
        { object: "describe", property: "only", message: "No committed .only" },
        { object: "it", property: "only", message: "No committed .only" },
        { object: "test", property: "only", message: "No committed .only" },
      ],
    },
  },
  {
    files: ["**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", __dirname: "readonly", process: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The explorer's and the dashboard's page scripts: plain browser scripts on UMD globals.
    files: ["gateway/*/*.js"],
    languageOptions: {
      sourceType: "script",
      globals: {
        window: "readonly",
        document: "readonly",
        setTimeout: "readonly",
        URL: "readonly",
        React: "readonly",
        ReactDOM: "readonly",
        GraphiQL: "readonly",
        graphqlWs: "readonly",
      },
    },
  },
);
