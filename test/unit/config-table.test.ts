import fs from "node:fs";
import path from "node:path";
import { CONFIG_KEYS, loadConfig, logLevel, NOT_CONFIG_KEYS } from "../../common/config";
import { projectRoot } from "../../common/paths";

/** The README's "Configuration" rows: every line of the section that starts a table row after the header. */
function readmeRows(): { name: string; default: string; meaning: string }[] {
  const readme = fs.readFileSync(path.join(projectRoot(), "README.md"), "utf8");
  const section = readme.split("\n## Configuration\n")[1].split("\n## ")[0];
  const lines = section.split("\n").filter((line) => line.startsWith("| `"));
  return lines.map((line) => {
    const match = /^\| `([A-Z0-9_]+)` \| (.+?) \| (.+) \|$/.exec(line);
    if (!match) throw new Error(`not a row of name, default and meaning: ${line}`);
    return { name: match[1], default: match[2], meaning: match[3].replace(/\\\|/g, "|") };
  });
}

/** An environment that records every name read from it and answers "unset". */
function recordingEnv(): { env: NodeJS.ProcessEnv; names: Set<string> } {
  const names = new Set<string>();
  const env = new Proxy({} as NodeJS.ProcessEnv, {
    get: (_target, name) => {
      if (typeof name === "string") names.add(name);
      return undefined;
    },
  });
  return { env, names };
}

/** Every .ts and .js source of the project, outside dependencies and build output. */
function sources(directory = projectRoot()): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith(".") || ["node_modules", "dist", "coverage"].includes(entry.name)) return [];
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) return sources(file);
    return /\.(ts|js)$/.test(entry.name) ? [file] : [];
  });
}

describe("the table of configuration keys", () => {
  it("When the README's configuration table is read, then it is the table of keys, row for row and in order", () => {
    expect(readmeRows()).toEqual(
      Object.entries(CONFIG_KEYS).map(([name, key]) => ({
        name,
        default: key.default,
        meaning: key.meaning,
      })),
    );
  });

  it("When the configuration and the log level are read, then every key of the table is read, and nothing else", () => {
    const { env, names } = recordingEnv();
    loadConfig(env);
    logLevel(env);
    expect([...names].sort()).toEqual(Object.keys(CONFIG_KEYS).sort());
  });

  it("When the sources are searched, then every environment name they use is a key of the table or listed as none", () => {
    const known = new Set([...Object.keys(CONFIG_KEYS), ...Object.keys(NOT_CONFIG_KEYS)]);
    const unknown: string[] = [];
    for (const file of sources()) {
      const text = fs.readFileSync(file, "utf8");
      for (const [, name] of text.matchAll(/\benv(?:\.|\[["'`])([A-Z][A-Z0-9_]*)\b/g)) {
        if (!known.has(name)) unknown.push(`${path.relative(projectRoot(), file)}: ${name}`);
      }
    }
    expect(unknown).toEqual([]);
    expect(Object.keys(NOT_CONFIG_KEYS).filter((name) => name in CONFIG_KEYS)).toEqual([]);
  });

  it("When a key's documented default is a plain value, then its parser gives that value for an unset key", () => {
    for (const [name, key] of Object.entries(CONFIG_KEYS)) {
      const literal = /^`([^`]+)`$/.exec(key.default)?.[1];
      const unset = key.parse(undefined, name);
      // The others' defaults depend on other keys: loadConfig applies them (config.test.ts).
      if (literal === undefined || unset === undefined) continue;
      expect({ name, value: unset }).toEqual({ name, value: key.parse(literal, name) });
    }
  });
});
