/**
 * What the gateway's browser pages (the explorer, the dashboard) share: files of npm packages served
 * from this origin (no CDN: the pages work on a closed network), the page shell with its settings, and
 * the development token a page may be prefilled with (decision 0019).
 */
import fs from "node:fs";
import path from "node:path";
import type { Request, Response, Router } from "express";
import { mintToken } from "../common/auth/tokens";
import type { Config } from "../common/config";
import { isLoopback } from "../common/loopback";
import { projectRoot } from "../common/paths";

/** A file of an installed package and the URL it is served at. */
export interface PackageAsset {
  /** `/assets/<package>@<version>/<file name>`: with the version in the path a browser may keep it a year. */
  url: string;
  file: string;
}

/** `file` (a path inside the installed package `pkg`) and its versioned URL. */
export function packageAsset(pkg: string, file: string): PackageAsset {
  const root = path.dirname(require.resolve(`${pkg}/package.json`));
  const { version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    version: string;
  };
  return { url: `/assets/${pkg}@${version}/${path.basename(file)}`, file: path.join(root, file) };
}

/** Serves exactly these files (never a folder of node_modules), cached for a year. */
export function serveAssets(router: Router, assets: PackageAsset[]): void {
  for (const asset of assets) {
    router.get(asset.url, (_req, res, next) => {
      res.sendFile(asset.file, { maxAge: "365d", immutable: true }, (error) => {
        if (error && !res.headersSent) next(error); // after the headers: the client went away
      });
    });
  }
}

/** Serves a page's own script (`gateway/<page>/<name>.js`); revalidated on every load, as it changes with the code. */
export function servePageScript(router: Router, url: string, file: string): void {
  router.get(url, (_req, res, next) => {
    res.sendFile(file, { cacheControl: false, headers: { "cache-control": "no-cache" } }, (error) => {
      if (error && !res.headersSent) next(error);
    });
  });
}

/** A committed file of a page's folder: from sources and from `dist/` alike. */
export function pageFile(page: string, name: string): string {
  return path.join(projectRoot(), "gateway", page, name);
}

/**
 * A page's HTML, read once with `{{name}}` filled from `values` (asset URLs). Rendering puts the
 * page's settings in `{{settings}}`: JSON for its script, in a `<script type="application/json">`
 * block, which a browser does not run.
 */
export function pageTemplate(file: string, values: Record<string, string>): (settings: unknown) => string {
  const html = fs.readFileSync(file, "utf8").replace(/\{\{(\w+)\}\}/g, (match, name: string) => {
    if (name === "settings") return match;
    const value = values[name];
    if (value === undefined) throw new Error(`${file} names {{${name}}}, which the page does not fill`);
    return value;
  });
  // "<" escaped: no "</script>" inside the block.
  return (settings) => html.replace("{{settings}}", () => JSON.stringify(settings).replace(/</g, "\\u003c"));
}

/**
 * Only the page's own origin: scripts from files (never inline), styles inline too (GraphiQL sets
 * them), fonts as data URIs (GraphiQL's CSS embeds them), fetch and WebSockets to this host.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Answers a page's HTML with the headers every page has. */
export function sendPage(res: Response, html: string): void {
  res
    .set({
      "content-security-policy": CONTENT_SECURITY_POLICY,
      "cache-control": "no-store", // it may hold a token
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
    })
    .type("html")
    .send(html);
}

/** A browser navigating here (it prefers HTML), not a GraphQL client (JSON, or anything: `*\/*`). */
export function wantsHtml(req: Request): boolean {
  return req.accepts(["application/json", "application/graphql-response+json", "text/html"]) === "text/html";
}

/**
 * A system token for a page to be prefilled with, only while developing on the built-in development
 * secret, and only for a browser on this machine: the request comes from a loopback address and
 * names no other client (`Forwarded`, `X-Forwarded-For`: a proxy on this machine relaying someone
 * else). (A request naming another Host, DNS rebinding, never gets here on the development secret:
 * common/http.ts refuses it.) Minted per page load, valid for {@link DEVELOPMENT_PAGE_TOKEN_TTL}.
 */
export async function developmentToken(
  config: Config,
  subject: string,
  req: Request,
): Promise<string | undefined> {
  if (config.nodeEnv === "production" || !config.auth.usingDevelopmentSecret) return undefined;
  const local =
    isLoopback(req.socket.remoteAddress) && !req.headers.forwarded && !req.headers["x-forwarded-for"];
  if (!local) return undefined;
  return mintToken(config.auth, { kind: "system", subject }, DEVELOPMENT_PAGE_TOKEN_TTL);
}

/** How long a page's development token lasts: a working session, not a standing credential. */
export const DEVELOPMENT_PAGE_TOKEN_TTL = "2h";
