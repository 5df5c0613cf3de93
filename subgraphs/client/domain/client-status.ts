/**
 * The client status machine. A transition not in the table is refused with
 * CLIENT_INVALID_STATUS_TRANSITION; the database applies an allowed one with an UPDATE
 * guarded by the version it was decided on, so two concurrent changes cannot both win.
 */
import { AppError } from "../../../common/errors";
import { ClientStatus, RiskLevel } from "./enums";

const { INACTIVE, ACTIVE, BLOCKED } = ClientStatus;

/** from -> the statuses it may move to. A blocked client leaves only by being unblocked (to active). */
export const CLIENT_STATUS_TRANSITIONS: Readonly<Record<ClientStatus, readonly ClientStatus[]>> = {
  [INACTIVE]: [ACTIVE, BLOCKED],
  [ACTIVE]: [INACTIVE, BLOCKED],
  [BLOCKED]: [ACTIVE],
};

export function assertStatusTransition(from: ClientStatus, to: ClientStatus): void {
  if (!CLIENT_STATUS_TRANSITIONS[from].includes(to)) {
    throw new AppError("CLIENT_INVALID_STATUS_TRANSITION", `A client cannot go from ${from} to ${to}`, {
      from: from.toUpperCase(),
      to: to.toUpperCase(),
    });
  }
}

/** Unblocking is only for blocked clients; it restores ACTIVE. */
export function assertCanUnblock(from: ClientStatus): void {
  if (from !== BLOCKED) {
    throw new AppError(
      "CLIENT_INVALID_STATUS_TRANSITION",
      `Only a blocked client can be unblocked; this one is ${from}`,
      {
        from: from.toUpperCase(),
        to: ACTIVE.toUpperCase(),
      },
    );
  }
}

/**
 * An imported client was onboarded (KYC done) by the integrating institution, so it starts
 * ACTIVE; a client whose risk is `prohibited` is kept but starts BLOCKED.
 */
export function initialStatus(riskLevel: RiskLevel): ClientStatus {
  return riskLevel === RiskLevel.PROHIBITED ? BLOCKED : ACTIVE;
}
