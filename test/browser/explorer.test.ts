/**
 * The explorer in headless Chromium: GraphiQL loads from the gateway alone, runs the saved federated
 * query over HTTP and the saved subscription over graphql-ws, with the development token the page
 * was prefilled with. Screenshots go to .data/screenshots/.
 */
import type { Browser, Page } from "playwright-core";
import { launchBrowser, openPage, screenshot, type TestPage } from "../helpers/browser";
import { type Stack, startStack } from "../helpers/stack";
import { pendingOutgoingTransfer } from "../helpers/transfers";

let stack: Stack;
let browser: Browser;
let origin: string;
beforeAll(async () => {
  browser = await launchBrowser(); // first: without Chromium the suite fails at once
  stack = await startStack();
  origin = `http://127.0.0.1:${stack.gateway.port}`;
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/**
 * The result pane's whole text (CodeMirror keeps only the visible lines in the DOM). Page-side code
 * reaches the DOM through `globalThis` (tests have no DOM types); a string would be eval, which the
 * page's Content-Security-Policy refuses.
 */
function resultText(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      (globalThis as any).document.querySelector(".result-window .CodeMirror")?.CodeMirror.getValue() ?? "",
  );
}

async function waitForResult(page: Page, predicate: (text: string) => boolean, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = await resultText(page);
    if (predicate(text)) return text;
    if (Date.now() > deadline) throw new Error(`the result pane shows:\n${text}`);
    await page.waitForTimeout(50);
  }
}

/** Opens a saved operation's tab, and waits until GraphiQL has parsed it (it would run the previous tab's operation name). */
async function selectTab(page: Page, operationName: string): Promise<void> {
  await page.locator(".graphiql-tab", { hasText: operationName }).click();
  await page.waitForFunction(
    (name) =>
      (globalThis as any).document.querySelector(".graphiql-query-editor .CodeMirror")?.CodeMirror
        .operationName === name,
    operationName,
  );
}

async function openExplorer(): Promise<TestPage> {
  const opened = await openPage(browser);
  await opened.page.goto(`${origin}/graphql`);
  await opened.page.locator(".graphiql-execute-button").waitFor();
  return opened;
}

describe("the explorer in a browser", () => {
  it("When the saved federated query runs, then its result from all three subgraphs shows in the result pane", async () => {
    const transfer = await pendingOutgoingTransfer(stack); // a client with an account and a transfer
    const { page, problems } = await openExplorer();

    await selectTab(page, "ClientsWithMoney");
    await page.locator(".graphiql-execute-button").click();
    const text = await waitForResult(page, (t) => t.includes(transfer.clientId));
    const result = JSON.parse(text);
    expect(result.errors).toBeUndefined();
    expect(result.data.clients.nodes.find((node: any) => node.id === transfer.clientId)).toMatchObject({
      firstName: "Ann", // client subgraph
      accounts: [{ id: transfer.accountId, balance: { available: "100.00" } }], // ledger
      transfers: { nodes: [{ id: transfer.id, status: "PENDING_CONFIRMATION", amount: "25.00" }] }, // transfer
    });

    await page.getByRole("button", { name: /documentation explorer/i }).click();
    await page.locator(".graphiql-doc-explorer").getByText("Query", { exact: true }).first().waitFor();
    await screenshot(page, "explorer");
    expect(problems).toEqual([]);
  });

  it("When the saved subscription is started and a transfer changes, then the event arrives in the result pane over graphql-ws", async () => {
    const { page, problems } = await openExplorer();
    await selectTab(page, "WatchTransfers");
    const listening = stack.transfer.events.size;
    await page.locator(".graphiql-execute-button").click();
    await waitUntil(() => stack.transfer.events.size > listening);

    const transfer = await pendingOutgoingTransfer(stack);
    const text = await waitForResult(page, (t) => t.includes(transfer.id));
    expect(JSON.parse(text)).toEqual({
      data: {
        transferStatusChanged: {
          transferId: transfer.id,
          sequence: 1,
          previousStatus: null,
          status: "PENDING_CONFIRMATION",
          changedAt: expect.any(String),
          transfer: {
            kind: "OUTGOING",
            amount: "25.00",
            currency: "EUR",
            account: { number: expect.stringMatching(/^\d{12}$/), balance: { available: "100.00" } },
          },
        },
      },
    });
    await screenshot(page, "explorer-subscription");

    await page.locator(".graphiql-execute-button").click(); // stops it
    await waitUntil(() => stack.transfer.events.size === listening);
    expect(problems).toEqual([]);
  });
});

async function waitUntil(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("the condition did not hold in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
