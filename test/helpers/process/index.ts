import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { projectRoot } from "../../../common/paths";

/** A service running in a child process: its GraphQL URL, and the process to signal. */
export interface ServiceProcess {
  url: string;
  /** The address it listens on. */
  address: string;
  child: ChildProcess;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
}

/**
 * Starts `service` (client or ledger subgraph) in its own node process over `databaseUrl`,
 * with `env` added to a test configuration (loopback, free port).
 */
export function startServiceProcess(
  service: "client" | "ledger",
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const dir = path.join(projectRoot(), "test", "helpers", "process");
  const child = spawn(
    process.execPath,
    ["-r", path.join(dir, "register.js"), path.join(dir, "serve.ts"), service],
    {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "test",
        LOG_LEVEL: "silent",
        HOST: "127.0.0.1",
        DATABASE_URL: databaseUrl,
        CLIENT_SUBGRAPH_PORT: "0",
        LEDGER_SUBGRAPH_PORT: "0",
        LEDGER_CURRENCIES: "EUR,USD,JPY,BHD",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (!line) return;
      const { url, address } = JSON.parse(line) as { url: string; address: string };
      resolve({
        url,
        address,
        child,
        kill: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
          await exited;
        },
      });
    });
    child.once("exit", (code) => reject(new Error(`${service} exited (${code}) before serving: ${err}`)));
  });
}
