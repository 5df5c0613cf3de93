/**
 * What counts as this machine: 127.0.0.0/8, ::1 (also bracketed, as in a Host header, and as
 * IPv4-mapped IPv6, `::ffff:127.0.0.1`, as Node reports a remote address) and `localhost`.
 * Used for the listening address (HOST), a request's peer and a request's Host header.
 */
export function isLoopback(host: string | undefined): boolean {
  if (!host) return false;
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const v4 = bare.toLowerCase().startsWith("::ffff:") ? bare.slice(7) : bare;
  return bare === "localhost" || bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** The host part of a Host header (`localhost:4000` -> `localhost`, `[::1]:4000` -> `[::1]`). */
export function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return header.startsWith("[") ? header.slice(0, header.indexOf("]") + 1) : header.split(":")[0];
}
