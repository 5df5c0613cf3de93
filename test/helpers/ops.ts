/** Operations test helpers: read a `/metrics` scrape, capture log lines. */
import { log, setLogDestination } from "../../common/log";

/** `GET /metrics` of a service, by its base or GraphQL URL. */
export async function scrape(url: string): Promise<string> {
  const response = await fetch(new URL("metrics", url));
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}

/**
 * The value of the series `name` whose labels include `labels`, in Prometheus text; 0 when no
 * series matches (a counter that was never incremented has none).
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [
        k,
        v,
      ]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return 0;
}

export type LogLine = Record<string, unknown> & { msg?: string; requestId?: string; service?: string };

/**
 * Collects every log line from now until `stop()`, at level info (logs are silent under jest).
 * Services started by the same test file share its logger.
 */
export function captureLogs(): { lines: LogLine[]; raw: string[]; stop(): void } {
  const raw: string[] = [];
  const lines: LogLine[] = [];
  const level = log.level;
  log.level = "info";
  const restore = setLogDestination({
    write: (line) => {
      raw.push(line);
      lines.push(JSON.parse(line) as LogLine);
    },
  });
  return {
    lines,
    raw,
    stop: () => {
      restore();
      log.level = level;
    },
  };
}
