/**
 * The live dashboard in headless Chromium: signed in with a system token, it shows a transfer moving
 * through every state as it happens, the counts per status and the balance the transfer left; it
 * loads the current transfers, counts and volume per minute from a snapshot, follows the stream
 * from the snapshot's position, and after its socket is dropped says so and catches up without gap
 * (decision 0029). The screenshot goes to .data/screenshots/.
 */
import { randomUUID } from "node:crypto";
import type { Browser } from "playwright-core";
import { fund, openAccount } from "../helpers/ledger";
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
    // The snapshot query is refused first, over HTTP: Chromium logs the 401 itself.
    expect(problems).toEqual([
      "console error: Failed to load resource: the server responded with a status of 401 (Unauthorized)",
    ]);
  });

  it("When it loads, then it shows the snapshot's transfers, counts and volume; a new transfer arrives live; after its socket is dropped it says so and catches up on what committed meanwhile, once", async () => {
    const from = await openAccount(stack);
    const to = await openAccount(stack);
    await fund(stack, from.id, "100.00");
    const move = async (amount: string) => {
      const result = await stack.graphql(
        `mutation($input: InternalTransferInput!, $key: String!) { createInternalTransfer(input: $input, idempotencyKey: $key) { id status } }`,
        { input: { debitAccountId: from.id, creditAccountId: to.id, amount }, key: randomUUID() },
      );
      expect(result.data?.createInternalTransfer.status).toBe("COMPLETED");
      return result.data!.createInternalTransfer.id as string;
    };
    const apiCounts = async () => {
      const result = await stack.graphql(`{ transferSnapshot(recent: 0) { counts { status count } } }`);
      return (result.data!.transferSnapshot.counts as Array<{ status: string; count: number }>)
        .map(({ status, count }) => `${status}: ${count}`)
        .sort();
    };
    const before = [await move("1.00"), await move("2.00")];

    const { page, problems } = await openPage(browser);
    // The test's hand on the page's sockets: drop the live one, and refuse new ones while "offline".
    await page.addInitScript(() => {
      const window = globalThis as any;
      const Native = window.WebSocket;
      window.sockets = [];
      window.offline = false;
      window.WebSocket = class extends Native {
        constructor(url: string, protocols?: string | string[]) {
          super(window.offline ? "ws://127.0.0.1:9/" : url, protocols);
          window.sockets.push(this);
        }
      };
    });
    await page.goto(`http://127.0.0.1:${stack.gateway.port}/dashboard`);
    await page.getByLabel("Token").fill(stack.systemToken);
    await page.getByRole("button", { name: "Connect" }).click();
    await page.locator('#state[data-state="live"]').waitFor();

    // The snapshot: the transfers made before the page loaded, the counts, the volume of this minute.
    for (const id of before) {
      await page.locator(`tr[data-transfer-id="${id}"][data-status="COMPLETED"]`).waitFor();
    }
    const shownCounts = async () => (await page.locator("#counts li").allTextContents()).sort();
    expect(await shownCounts()).toEqual(await apiCounts());
    expect(await page.locator("#currency").inputValue()).toBe("EUR");
    // This minute's bar, or the last one's too when the page loaded in the minute after the moves.
    const volume = await page
      .locator("#chart rect")
      .evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute("data-amount"))));
    expect(volume.at(-1)! + volume.at(-2)!).toBeGreaterThanOrEqual(3);
    expect(await page.locator("#chart rect").count()).toBe(30);

    // Live.
    const live = await move("3.00");
    await page.locator(`tr[data-transfer-id="${live}"][data-status="COMPLETED"]`).waitFor();
    expect(await shownCounts()).toEqual(await apiCounts());

    // The socket drops; transfers commit while the page cannot connect; then it can again.
    await page.evaluate(() => {
      const window = globalThis as any;
      window.offline = true;
      window.sockets[window.sockets.length - 1].close(3000, "dropped by the test");
    });
    await page.locator('#state[data-state="lost"]').waitFor();
    expect(await page.locator("#state").textContent()).toMatch(
      /Connection lost .* Catching up from position \d+/,
    );
    const missed = [await move("4.00"), await move("5.00")];
    await page.evaluate(() => ((globalThis as any).offline = false));
    await page.locator('#state[data-state="live"]').waitFor({ timeout: 20_000 });
    expect(await page.locator("#state").textContent()).toMatch(/Caught up from position \d+/);
    for (const id of missed) {
      await page.locator(`tr[data-transfer-id="${id}"][data-status="COMPLETED"]`).waitFor();
    }
    for (const id of [...before, live, ...missed]) {
      expect(await page.locator(`tr[data-transfer-id="${id}"]`).count()).toBe(1);
    }
    expect(await shownCounts()).toEqual(await apiCounts());
    const amounts = await page
      .locator("#chart rect")
      .evaluateAll((bars: any[]) => bars.reduce((sum, bar) => sum + Number(bar.dataset.amount), 0));
    expect(amounts).toBeGreaterThanOrEqual(15); // 1 + 2 + 3 + 4 + 5, and the other tests' transfers
    await screenshot(page, "dashboard-caught-up");
    // Only the refused connections to the "offline" address.
    expect(problems.filter((problem) => !problem.includes("ws://127.0.0.1:9/"))).toEqual([]);
  }, 60_000);
});
