import { AppError } from "../errors";

/**
 * Who is calling. A front-office caller acts for exactly one client; a system caller
 * (back office, integrations, other services) may act for all.
 */
export type Caller =
  { kind: "system"; subject: string } | { kind: "client"; subject: string; clientId: string };

/** Refuses anyone but a system caller. */
export function requireSystem(caller: Caller): void {
  if (caller.kind !== "system") {
    throw new AppError("FORBIDDEN", "This operation is for system callers only");
  }
}

/** Refuses a front-office caller reaching another client's data. */
export function requireClientAccess(caller: Caller, clientId: string): void {
  if (caller.kind === "client" && caller.clientId !== clientId) {
    throw new AppError("FORBIDDEN", "A front-office token may only reach its own client's data");
  }
}
