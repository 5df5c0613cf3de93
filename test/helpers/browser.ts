/**
 * Headless Chromium for the browser tests: Debian's package, driven by playwright-core. Missing, it
 * fails the suite saying how to install it (.ci/run does); no test is skipped.
 */
import fs from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { projectRoot } from "../../common/paths";

export const CHROMIUM = "/usr/bin/chromium";

/** Where the runs' screenshots go (git-ignored), for a person to look at. */
export const SCREENSHOTS = path.join(projectRoot(), ".data", "screenshots");

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Debian's Chromium at ${CHROMIUM}: apt-get update && apt-get install -y chromium (.ci/run installs it)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    // Offline like the rest of the tests: no host name resolves, so only IP literals (127.0.0.1) are reachable.
    args: ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
  });
}

export interface TestPage {
  page: Page;
  /** Uncaught errors, console errors (a refused Content-Security-Policy shows there) and requests that left this machine. */
  problems: string[];
}

/** A page in a fresh context (its own storage), watched for problems; requests off loopback are refused. */
export async function openPage(browser: Browser): Promise<TestPage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  await context.route(/^(?!(https?|wss?):\/\/127\.0\.0\.1[:/])/, async (route) => {
    problems.push(`request off this machine: ${route.request().url()}`);
    await route.abort();
  });
  return { page, problems };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
