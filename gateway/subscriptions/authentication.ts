/**
 * Who a socket is: the token of its `connection_init`, checked by the same TokenVerifier as
 * HTTP. None closes the socket with 4401, a refused one with 4403, and a timer closes it with
 * 4403 when the token expires, so that no socket outlives its credential (decision 0017).
 */
import type { WebSocket } from "ws";
import type { Caller } from "../../common/auth/caller";
import { bearerToken, type TokenVerifier } from "../../common/auth/tokens";
import type { ConnectionContext, ConnectionParams, ConnectionRegistry } from "./connections";
import { CLOSE_CODES } from "./errors";

/** What authentication needs of the sockets: whether one is still here, refusing, admitting, holding. */
export type Admission = Pick<ConnectionRegistry, "has" | "refuse" | "admit" | "hold">;

/** The longest delay setTimeout holds (about 24.8 days); a longer wait is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** graphql-ws's `onConnect`, and the expiry timers of the sockets it admitted. */
export class Authentication {
  private readonly expiries = new Map<WebSocket, NodeJS.Timeout>();

  /** `verifier` checks tokens as HTTP does; `connections` admits the sockets and holds their timers. */
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly connections: Admission,
  ) {}

  /**
   * Verifies the token of `connection_init` and admits the socket as its caller. False when
   * the socket was refused (4401, 4403, or 1013 over its caller's limit) or went away meanwhile;
   * graphql-ws then acknowledges nothing.
   */
  async onConnect(context: ConnectionContext): Promise<boolean> {
    const { socket } = context.extra;
    const token = tokenFrom(context.connectionParams);
    if (token === undefined || !this.connections.has(socket)) {
      this.connections.refuse(
        socket,
        CLOSE_CODES.unauthorized,
        'Unauthorized: connection_init must carry { authorization: "Bearer <jwt>" }',
      );
      return false;
    }
    let caller: Caller;
    try {
      caller = await this.verifier.verify(token);
    } catch {
      this.connections.refuse(
        socket,
        CLOSE_CODES.forbidden,
        "Forbidden: the bearer token is invalid or expired",
      );
      return false;
    }
    const expiry = expiresAt(token);
    if (!this.connections.admit(context, { caller, token, expiresAt: expiry })) return false;
    // A socket outlives no token: when it expires the socket closes, and a client that
    // reconnects with a fresh one resumes (afterSequence).
    this.connections.hold(socket, () => this.disarm(socket));
    this.closeAtExpiry(socket, expiry);
    return true;
  }

  /** Disarms every expiry timer: a stopping gateway closes its sockets as going away (1001), not 4403. */
  stop(): void {
    for (const timer of this.expiries.values()) clearTimeout(timer);
    this.expiries.clear();
  }

  private closeAtExpiry(socket: WebSocket, expiry: number): void {
    const left = expiry - Date.now();
    if (left <= 0) {
      this.expiries.delete(socket);
      socket.close(CLOSE_CODES.forbidden, "Forbidden: the bearer token expired");
      return;
    }
    const timer = setTimeout(() => this.closeAtExpiry(socket, expiry), Math.min(left, MAX_TIMER_MS));
    this.expiries.set(socket, timer.unref());
  }

  private disarm(socket: WebSocket): void {
    clearTimeout(this.expiries.get(socket));
    this.expiries.delete(socket);
  }
}

/**
 * The token of a connection_init payload: `authorization: "Bearer <jwt>"`, or `token` (with
 * or without "Bearer "). Undefined when there is none; "" when there is one that is no token.
 */
function tokenFrom(params: ConnectionParams): string | undefined {
  const value = params?.authorization ?? params?.token;
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") return "";
  const bearer = bearerToken(value);
  if (bearer) return bearer;
  return params?.authorization === undefined && /^\S+$/.test(value) ? value : "";
}

/** The verified token's `exp`, in milliseconds. */
function expiresAt(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")) as {
    exp: number;
  };
  return payload.exp * 1000;
}
