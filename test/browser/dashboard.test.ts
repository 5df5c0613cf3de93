/**
 * The live dashboard in headless Chromium: signed in with a system token, it shows a transfer moving
 * through every state as it happens, the counts per status and the balance the transfer left. The
 * screenshot goes to .data/screenshots/.
 */
import type { Browser } from "playwright-core";
import { launchBrowser, openPage, screenshot } from "../helpers/browser";
import { type Stack, startStack } from "../helpers/stack";
import {
  confirmWithSentCode,
  pendingOutgoingTransfer,
  READ_TRANSFER,
  runWorker,
  OUTGOING_COMPLETED,
} from "../helpers/transfers";

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser(); // first: without Chromium the suite fails at once
  stack = await startStack();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function waitUntil(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("the condition did not hold in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("the dashboard in a browser", () => {
  it("When signed in with a system token, then a transfer shows moving from PENDING_CONFIRMATION through each state to COMPLETED, with counts and the balance it left", async () => {
    const { page, problems } = await openPage(browser);
    await page.goto(`http://127.0.0.1:${stack.gateway.port}/dashboard`);
    await page.getByLabel("Token").fill(stack.systemToken);
    const listening = stack.transfer.events.size;
    await page.getByRole("button", { name: "Connect" }).click();
    await page.locator('#state[data-state="live"]').waitFor();
    await waitUntil(() => stack.transfer.events.size > listening);
    // Every status the page writes on a transfer row, in order. Page-side code reaches the DOM
    // through globalThis: tests have no DOM types.
    await page.evaluate(() => {
      const window = globalThis as any;
      const seen: string[] = (window.seenStatuses = []);
      new window.MutationObserver((changes: any[]) => {
        for (const change of changes) seen.push(change.target.dataset.status);
      }).observe(window.document.querySelector("#transfers tbody"), {
        subtree: true,
        attributeFilter: ["data-status"],
      });
    });

    const transfer = await pendingOutgoingTransfer(stack, "25.00");
    const row = page.locator(`tr[data-transfer-id="${transfer.id}"]`);
    await row.and(page.locator('[data-status="PENDING_CONFIRMATION"]')).waitFor();
    expect(await row.locator("td").allTextContents()).toEqual([
      transfer.id.slice(0, 8),
      "OUTGOING",
      "25.00 EUR",
      "PENDING_CONFIRMATION",
      expect.stringMatching(/\d/),
    ]);

    await confirmWithSentCode(stack, transfer);
    await runWorker(stack);
    await row.and(page.locator('[data-status="COMPLETED"]')).waitFor();
    const history = (await stack.graphql(READ_TRANSFER, { id: transfer.id })).data!.transfer.statusHistory;
    expect(history.map((h: any) => h.to)).toEqual(OUTGOING_COMPLETED);
    expect(await page.evaluate(() => (globalThis as any).seenStatuses)).toEqual(
      history.map((h: any) => h.to),
    );

    expect(await page.locator("#counts li").allTextContents()).toEqual(["COMPLETED: 1"]);
    const account = page.locator(`#accounts tr[data-account-id="${transfer.accountId}"] td`);
    expect((await account.allTextContents()).slice(0, 2)).toEqual([
      expect.stringMatching(/^\d{12}$/),
      "75.00 EUR",
    ]);
    await screenshot(page, "dashboard");
    expect(problems).toEqual([]);
  });

  it("When the token is refused, then the page says so and stops", async () => {
    const { page, problems } = await openPage(browser);
    await page.goto(`http://127.0.0.1:${stack.gateway.port}/dashboard`);
    await page.getByLabel("Token").fill("not-a-token");
    await page.getByRole("button", { name: "Connect" }).click();
    await page.locator('#state[data-state="stopped"]').waitFor();
    expect(await page.locator("#state").textContent()).toMatch(/invalid or expired/);
    expect(problems).toEqual([]);
  });
});
