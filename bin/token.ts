/**
 * Prints a development token: `npm run token -- --system` or `npm run token -- --client <clientId>`.
 * Signs with JWT_SECRET (or the development secret), so it is accepted by a server started with the same setting.
 */
import { loadConfig } from "../common/config";
import { mintToken } from "../common/auth/tokens";
import type { Caller } from "../common/auth/caller";

async function main(args: string[]): Promise<void> {
  const config = loadConfig();
  let caller: Caller;
  const clientAt = args.indexOf("--client");
  if (args.includes("--system")) {
    caller = { kind: "system", subject: "dev-system" };
  } else if (
    clientAt >= 0 &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(args[clientAt + 1] ?? "")
  ) {
    caller = { kind: "client", subject: `dev-user-${args[clientAt + 1]}`, clientId: args[clientAt + 1] };
  } else {
    process.stderr.write("usage: npm run token -- --system | --client <clientId (a UUID)> [--expires 12h]\n");
    process.exitCode = 2;
    return;
  }
  const expiresAt = args.indexOf("--expires");
  process.stdout.write(
    `${await mintToken(config.auth, caller, expiresAt >= 0 ? args[expiresAt + 1] : "12h")}\n`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
