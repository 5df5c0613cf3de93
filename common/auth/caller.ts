import { AppError, validationError } from "../errors";

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

/**
 * The client an operation is for: the one named, which a front-office caller may only name
 * as itself, or by default the front-office caller's own. A system caller must name one.
 */
export function clientIdFor(caller: Caller, given: string | null | undefined): string {
  const clientId = (given ?? (caller.kind === "client" ? caller.clientId : "")).toLowerCase();
  if (!clientId) {
    throw validationError([
      { field: "clientId", rule: "required", message: "clientId is required for system callers" },
    ]);
  }
  requireClientAccess(caller, clientId);
  return clientId;
}

/**
 * The client a list is limited to: a front-office caller's own, always (it may name only
 * itself); for a system caller the one it names, or none (all clients).
 */
export function listScope(caller: Caller, given: string | null | undefined): string | null | undefined {
  if (given) requireClientAccess(caller, given.toLowerCase());
  return caller.kind === "client" ? caller.clientId : given;
}
