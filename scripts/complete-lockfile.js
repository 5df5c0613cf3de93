#!/usr/bin/env node
/**
 * The npm registry this project's machines reach does not serve some other platforms'
 * prebuilt binaries (@swc/core-darwin-*, jest's resolver bindings...), so `npm install`
 * here leaves them out of package-lock.json and `npm ci` then refuses the lock as out of
 * sync. This adds the missing optional platform entries (version, os, cpu, libc) so that
 * `npm ci` skips them here and installs them on the platforms that need them.
 * Run after changing dependencies: `npm install && node scripts/complete-lockfile.js`.
 */
const fs = require("node:fs");
const path = require("node:path");

const file = path.join(__dirname, "..", "package-lock.json");
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
const OS = ["darwin", "linux", "win32", "freebsd", "android", "openharmony"];
const CPU = [
  [/-arm64/, "arm64"],
  [/-x64/, "x64"],
  [/-ia32/, "ia32"],
  [/-arm(-|$)/, "arm"],
  [/-ppc64/, "ppc64"],
  [/-s390x/, "s390x"],
  [/-riscv64/, "riscv64"],
  [/-loong64/, "loong64"],
];

let added = 0;
for (const [location, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] || lock.packages[`${location}/${key}`]) continue;
    const os = OS.find((candidate) => name.includes(`-${candidate}-`));
    const cpu = CPU.find(([pattern]) => pattern.test(name))?.[1];
    if (!os || !cpu) continue; // not a platform binary: leave it to npm
    lock.packages[key] = {
      version: version.replace(/^[\^~]/, ""),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [os],
      cpu: [cpu],
      ...(/musl/.test(name) ? { libc: ["musl"] } : /gnu/.test(name) ? { libc: ["glibc"] } : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`added ${added} platform entries to package-lock.json\n`);
