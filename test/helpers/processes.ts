/**
 * A service in a child process of its own, run from its TypeScript entry (`subgraphs/<name>/main.ts`)
 * with the same swc transform jest uses, so a test can do to it what only a process allows:
 * freeze it (SIGSTOP: it holds its sockets open and answers nothing, not even a closing
 * handshake), thaw it and kill it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { projectRoot } from "../../common/paths";

export interface ServiceProcess {
  /** The URL the service logged when it was ready. */
  url: string;
  /** The address it logged it listens on. */
  address: string;
  pid: number;
  /** SIGSTOP: the process stops answering anything, its sockets stay open. */
  freeze(): void;
  /** SIGCONT. */
  thaw(): void;
  /** Thaws and kills the process (SIGKILL) and waits until it has exited. */
  kill(): Promise<void>;
}

/** Compiles `.ts` modules on require with @swc/core (the compiler jest's transform uses). */
export const REQUIRE_TYPESCRIPT = `
const fs = require("node:fs");
const swc = require("@swc/core");
require.extensions[".ts"] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, "utf8"), {
    filename,
    jsc: {
      target: "es2022",
      parser: { syntax: "typescript", decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    },
    module: { type: "commonjs" },
  });
  module._compile(code, filename);
};`;

/**
 * Starts `entry` (relative to the project root) with `env` on top of the test process's
 * environment, and resolves once it logs a line with a `url` (its "ready" line: LOG_LEVEL is
 * set to info for that). Rejects if it exits first or is not ready within `timeoutMs`.
 */
export async function startServiceProcess(
  entry: string,
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<ServiceProcess> {
  const child = spawn(
    process.execPath,
    ["-e", `${REQUIRE_TYPESCRIPT}\nrequire(${JSON.stringify(path.join(projectRoot(), entry))});`],
    {
      cwd: projectRoot(),
      env: { ...process.env, ...env, LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stderr: string[] = [];
  child.stderr!.on("data", (chunk: Buffer) => stderr.push(String(chunk)));
  const { url, address } = await new Promise<{ url: string; address: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${entry} was not ready within ${timeoutMs} ms: ${stderr.join("")}`));
    }, timeoutMs);
    let pending = "";
    // Read every line, also after the ready one: a full pipe would block the child.
    child.stdout!.on("data", (chunk: Buffer) => {
      pending += String(chunk);
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        const found = readyUrl(line);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited before it was ready: ${stderr.join("")}`));
    });
  });
  return {
    url,
    address,
    pid: child.pid!,
    freeze: () => signal(child, "SIGSTOP"),
    thaw: () => signal(child, "SIGCONT"),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        signal(child, "SIGCONT");
        signal(child, "SIGKILL");
      }
      await exited;
    },
  };
}

function readyUrl(line: string): { url: string; address: string } | undefined {
  try {
    const parsed = JSON.parse(line) as { url?: unknown; address?: unknown };
    return typeof parsed.url === "string" ? { url: parsed.url, address: String(parsed.address) } : undefined;
  } catch {
    return undefined;
  }
}

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  child.kill(name);
}
