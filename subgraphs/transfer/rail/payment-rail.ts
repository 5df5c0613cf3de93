/**
 * The port to an external payment rail, and the simulated rail that stands in for one
 * (SEPA, Faster Payments, SWIFT). A rail de-duplicates by the transfer id it is given (the
 * end-to-end id), so sending the same transfer again returns the first answer.
 */
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { TransferType } from "../domain/rails";

export interface RailOrder {
  /** The end-to-end id: the rail answers a repeated send of it with its first answer. */
  transferId: string;
  rail: TransferType;
  amount: string;
  currency: string;
  iban: string;
  bic: string | null;
  name: string;
  reference: string | null;
}

export type RailAnswer =
  { outcome: "ACCEPTED"; reference: string } | { outcome: "REJECTED"; reference: string; reason: string };

/** The rail could not be reached or did not answer: nothing is known, the send is repeated later. */
export class RailUnavailableError extends Error {
  constructor(message = "The payment rail did not answer") {
    super(message);
    this.name = "RailUnavailableError";
  }
}

export interface PaymentRail {
  send(order: RailOrder): Promise<RailAnswer>;
}

export interface SimulatedRailOptions {
  /** How long the rail takes to answer. */
  delayMs: number;
  /** Share (0 to 1) of transfers it rejects; which ones is fixed by the transfer id. */
  rejectRate: number;
}

/**
 * A rail that answers after `delayMs`, rejecting a fixed share of transfers chosen by a
 * hash of the transfer id, so a transfer gets the same answer on every send and in every
 * run. `sends` counts the calls per transfer (tests use it to prove nothing is sent twice).
 */
export class SimulatedRail implements PaymentRail {
  readonly sends = new Map<string, number>();

  constructor(private readonly options: SimulatedRailOptions) {}

  async send(order: RailOrder): Promise<RailAnswer> {
    this.sends.set(order.transferId, (this.sends.get(order.transferId) ?? 0) + 1);
    if (this.options.delayMs) await sleep(this.options.delayMs);
    const digest = createHash("sha256").update(order.transferId).digest();
    const reference = `SIM-${digest.toString("hex").slice(0, 16).toUpperCase()}`;
    const share = digest.readUInt32BE(0) / 0x1_0000_0000;
    return share < this.options.rejectRate
      ? { outcome: "REJECTED", reference, reason: "RAIL_REJECTED" }
      : { outcome: "ACCEPTED", reference };
  }
}
