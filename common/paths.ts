import fs from "node:fs";
import path from "node:path";

let root: string | undefined;

/**
 * The directory holding package.json. Code runs both from sources (tests) and from
 * `dist/` (npm start), so paths to committed files are resolved from here.
 */
export function projectRoot(): string {
  if (root) return root;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  root = dir;
  return dir;
}
