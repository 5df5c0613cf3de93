import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { log } from "../../common/log";
import { requestScope, requestScopesOpen } from "../../common/request-id";
import { openAccount } from "../helpers/ledger";
import { captureLogs, type LogLine } from "../helpers/ops";
import { importClient, type Stack, startStack } from "../helpers/stack";

const CLIENT_WITH_ACCOUNTS = `query OpsClientAccounts($id: ID!) {
  client(id: $id) { id firstName email accounts { id number } }
}`;

describe("Logs", () => {
  let stack: Stack;
  let clientId: string;
  beforeAll(async () => {
    stack = await startStack();
    clientId = await importClient(stack);
    await openAccount(stack, { clientId });
  });
  afterAll(() => stack.stop());

  /** Sends the federated query (client, then ledger) and returns the answer's request id and the lines logged meanwhile. */
  async function federatedQuery(headers: Record<string, string>) {
    const capture = captureLogs();
    try {
      const response = await fetch(stack.gateway.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${stack.systemToken}`,
          ...headers,
        },
        body: JSON.stringify({ query: CLIENT_WITH_ACCOUNTS, variables: { id: clientId } }),
      });
      const body = (await response.json()) as { data?: { client?: { email?: string } }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      return {
        requestId: response.headers.get("x-request-id"),
        body,
        lines: capture.lines,
        raw: capture.raw,
      };
    } finally {
      capture.stop();
    }
  }

  const requestLines = (lines: LogLine[], requestId: string | null) =>
    lines.filter((line) => line.msg === "graphql request" && line.requestId === requestId);

  it("When a request sends x-request-id, then the gateway and each subgraph it touched log it on their request line, and the answer carries it", async () => {
    const sent = `ops-${randomUUID()}`;
    const { requestId, lines } = await federatedQuery({ "x-request-id": sent });

    expect(requestId).toBe(sent);
    const served = requestLines(lines, sent);
    expect(served.map((line) => line.service).sort()).toEqual(["client", "gateway", "ledger"]);
    expect(served.find((line) => line.service === "gateway")).toEqual({
      level: 30,
      time: expect.any(Number),
      msg: "graphql request",
      service: "gateway",
      requestId: sent,
      operation: "OpsClientAccounts",
      outcome: "ok",
      durationMs: expect.any(Number),
    });
    expect(served.find((line) => line.service === "ledger")).toMatchObject({
      operation: "OpsClientAccounts__ledger__1",
      outcome: "ok",
    });
    // The transfer subgraph was not asked, so it logged nothing of this request.
    expect(lines.filter((line) => line.service === "transfer" && line.requestId === sent)).toEqual([]);
  });

  it("When a request sends no x-request-id (or an unusable one), then the gateway makes one, answers it, and every service logs that one", async () => {
    for (const headers of [{}, { "x-request-id": "not a plain token; <forged>" }] as Array<
      Record<string, string>
    >) {
      const { requestId, lines } = await federatedQuery(headers);
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(
        requestLines(lines, requestId)
          .map((line) => line.service)
          .sort(),
      ).toEqual(["client", "gateway", "ledger"]);
    }
  });

  it("When a request is logged, then no line holds its token, its variables or the personal data it returned", async () => {
    const { body, raw } = await federatedQuery({ "x-request-id": `ops-${randomUUID()}` });
    const email = body.data?.client?.email;
    expect(email).toEqual(expect.any(String));
    const text = raw.join("");
    expect(text).not.toContain(stack.systemToken);
    expect(text).not.toContain(clientId);
    expect(text).not.toContain(email);
  });

  it("When code logs while an express request is served without naming the request, then the line still carries the request's service and id, and the scope closes with the response", async () => {
    // The same chain as every service: scope first, then the body is read, then work across awaits.
    const app = express();
    app.use(requestScope("example"));
    app.use(express.json({ limit: "1mb" }));
    let closed!: Promise<unknown>;
    app.post("/work", async (_req, res) => {
      // After the scope's own listener (registered first): the scope has ended when this settles.
      closed = new Promise((resolve) => res.once("close", resolve));
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.info({ step: "after an await" }, "working");
      res.json({});
    });
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const capture = captureLogs();
    try {
      const sent = `ops-${randomUUID()}`;
      await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/work`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": sent },
        body: JSON.stringify({ padding: "x".repeat(200_000) }), // read in several chunks
      });
      expect(capture.lines).toEqual([
        expect.objectContaining({
          msg: "working",
          step: "after an await",
          service: "example",
          requestId: sent,
        }),
      ]);
      // Once answered, no scope stays open: Node's promise hooks go off with it (decision 0071).
      await closed;
      expect(requestScopesOpen()).toBe(false);
    } finally {
      capture.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("When a database error is logged, then its query, parameters and detail stay out of the line", () => {
    const capture = captureLogs();
    try {
      const error = Object.assign(new Error("duplicate key value violates unique constraint"), {
        query: "INSERT INTO client.client (email) VALUES ($1)",
        parameters: ["erika@example.com", "123456"],
        detail: "Key (email)=(erika@example.com) already exists.",
        driverError: { code: "23505", detail: "Key (email)=(erika@example.com) already exists." },
      });
      log.error({ err: error }, "unexpected error");
    } finally {
      capture.stop();
    }
    expect(capture.raw.join("")).not.toMatch(/erika@example\.com|123456|INSERT INTO/);
    expect(capture.lines[0]).toMatchObject({
      err: { message: expect.stringContaining("duplicate key"), driverError: { code: "23505" } },
    });
  });
});
