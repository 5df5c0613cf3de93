/**
 * The HTTP client of every call to a subgraph (the gateway's fetches, the transfer subgraph's
 * calls to the ledger): one undici pool per subgraph origin, kept alive, whose idle
 * connections are closed well before a subgraph would close them (a request written on a
 * socket the other side is closing fails with `socket hang up`), a deadline per call, and one
 * retry for a request that never left (the connection could not be made). Nothing else is
 * retried: a request that was written may have been applied, and a mutation must run once.
 */
import { Agent, type Dispatcher, errors as undiciErrors } from "undici";
import { GraphQLError } from "graphql";

export interface SubgraphTransportOptions {
  /** Idle connections are closed after this long; keep it well under the subgraphs' keep-alive timeout. */
  idleTimeoutMs: number;
  /** How long to wait for a TCP connection. */
  connectTimeoutMs: number;
  /** How long to wait for the answer's headers, and then between chunks of its body. */
  timeoutMs: number;
  /** Connections to one subgraph at most; more requests wait in the pool (under the subgraph's own cap). */
  maxConnections: number;
}

/** What a subgraph answered: status and body text; the caller parses it. */
export interface SubgraphAnswer {
  status: number;
  body: string;
}

/** Where one subgraph is reached: its URL parsed once, not on every call. */
export interface SubgraphTarget {
  /** Its name, for errors. */
  subgraph: string;
  origin: string;
  path: string;
}

/** The {@link SubgraphTarget} of the subgraph `subgraph` at `url`. */
export function subgraphTarget(subgraph: string, url: string): SubgraphTarget {
  const parsed = new URL(url);
  return { subgraph, origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

/**
 * Errors raised while connecting: the request was never written, so sending it again cannot
 * apply it twice. (undici's own codes, and the system's for a refused or unroutable address.)
 */
const NEVER_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** A short pause before the one retry: long enough for a restarting process to listen again. */
const RETRY_DELAY_MS = 100;

export class SubgraphTransport {
  private readonly agent: Agent;

  constructor(options: SubgraphTransportOptions) {
    this.agent = new Agent({
      keepAliveTimeout: options.idleTimeoutMs,
      keepAliveMaxTimeout: options.idleTimeoutMs,
      // A subgraph that announces a shorter keep-alive (`Keep-Alive: timeout=5`) is honoured,
      // less this margin: a socket is never reused in the last second of its life.
      keepAliveTimeoutThreshold: 1_000,
      connect: { timeout: options.connectTimeoutMs },
      connections: options.maxConnections,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /**
   * POSTs `body` to `target`. A failure to reach the subgraph is a GraphQL error with code
   * SUBGRAPH_UNAVAILABLE naming it (HTTP 503 to the caller); an answer of any status is
   * returned as it is.
   */
  async post(target: SubgraphTarget, headers: Record<string, string>, body: string): Promise<SubgraphAnswer> {
    try {
      return await this.send(target, headers, body);
    } catch (error) {
      if (!neverSent(error)) throw unavailable(target.subgraph, error);
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    try {
      return await this.send(target, headers, body);
    } catch (error) {
      throw unavailable(target.subgraph, error);
    }
  }

  /**
   * One call, read with undici's handler interface rather than `request`: the answer is a few
   * hundred bytes read whole, so the readable stream, the async resource and the parsed headers
   * `request` builds for each call are not needed (decision 0047). Errors are the same
   * objects `request` would reject with, before the answer or while reading it.
   */
  private send({ origin, path }: SubgraphTarget, headers: Record<string, string>, body: string) {
    return new Promise<SubgraphAnswer>((resolve, reject) => {
      this.agent.dispatch({ origin, path, method: "POST", headers, body }, new AnswerReader(resolve, reject));
    });
  }

  /** Closes every pooled connection (in-flight requests finish first). */
  close(): Promise<void> {
    return this.agent.close();
  }
}

/**
 * Collects one answer's status and body (as `body.text()` reads it: UTF-8, a leading BOM skipped).
 * It speaks the handler interface undici 7's client itself calls (`onConnect`, `onHeaders`,
 * `onData`, `onComplete`, `onError`, marked deprecated in its types): a handler of the newer one
 * (`onRequestStart`, `onResponseStart`, ...) is wrapped in an adapter that parses every answer's
 * headers into an object, which nothing here reads (decision 0065).
 */
class AnswerReader implements Dispatcher.DispatchHandler {
  private status = 0;
  private readonly chunks: Buffer[] = [];
  private length = 0;

  constructor(
    private readonly resolve: (answer: SubgraphAnswer) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  onConnect(): void {}

  onHeaders(statusCode: number): boolean {
    // A 1xx is followed by the real answer.
    if (statusCode >= 200) this.status = statusCode;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return true;
  }

  onComplete(): void {
    const { chunks, length } = this;
    const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
    const start = all.length > 2 && all[0] === 0xef && all[1] === 0xbb && all[2] === 0xbf ? 3 : 0;
    this.resolve({ status: this.status, body: all.toString("utf8", start) });
  }

  onError(error: Error): void {
    this.reject(error);
  }
}

/** True when the error happened before the request was written (see {@link NEVER_SENT}). */
export function neverSent(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && NEVER_SENT.has(code);
}

/**
 * The caller's error: `requestSent: false` when the request never left (nothing was applied:
 * retry freely), `true` when it was written and no answer came (it may have been applied: retry
 * only with the same idempotency key, or read the state first).
 */
function unavailable(subgraph: string, error: unknown): GraphQLError {
  if (neverSent(error)) {
    return new GraphQLError(
      `The ${subgraph} service could not be reached; nothing was applied, retry after a moment`,
      {
        extensions: { code: "SUBGRAPH_UNAVAILABLE", requestSent: false },
        originalError: error as Error,
      },
    );
  }
  const timedOut =
    error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError;
  return new GraphQLError(
    `The ${subgraph} service ${timedOut ? "did not answer in time" : "dropped the request"}; it may have been applied: retry with the same idempotency key, or read the state first`,
    { extensions: { code: "SUBGRAPH_UNAVAILABLE", requestSent: true }, originalError: error as Error },
  );
}
