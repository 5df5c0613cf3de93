/**
 * The REST shim's document routes through the gateway: multipart upload and bulk upload (all or
 * nothing, a result per file), list, read, download and delete, in the documented envelope
 * (`/internal`) or plain bodies and problem details (front office), with their statuses.
 */
import http from "node:http";
import net from "node:net";
import { fund, openAccount } from "../helpers/ledger";
import { pdfBytes, pngBytes, programBytes } from "../helpers/documents";
import { importClient, type Stack, startStack } from "../helpers/stack";
import { addRecipient, CREATE_OUTGOING, key, sql } from "../helpers/transfers";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

function form(
  category: string | undefined,
  files: Array<[Buffer, string, string]>,
  field = "file",
): FormData {
  const body = new FormData();
  if (category) body.append("category", category);
  for (const [bytes, name, type] of files) body.append(field, new Blob([bytes], { type }), name);
  return body;
}

async function post(path: string, body: FormData, token: string) {
  const response = await fetch(`${stack.gateway.baseUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body,
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** A POST with `path` exactly as given (no dot-segment resolution), answered status and text. */
function rawPost(path: string, body: string): Promise<{ status: number; text: string }> {
  const url = new URL(stack.gateway.baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: "POST",
        headers: { authorization: `Bearer ${stack.systemToken}`, "content-type": "application/json" },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

describe("document REST routes", () => {
  it("When a system caller uploads, lists, reads, downloads and deletes a client's document, then each answers the envelope", async () => {
    const clientId = await importClient(stack);
    const base = `/internal/Clients/${clientId}/documents`;
    const bytes = pdfBytes(120_000);
    const created = await post(
      base,
      form("proofOfAddress", [[bytes, "bill.pdf", "application/pdf"]]),
      stack.systemToken,
    );
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      isSuccess: true,
      value: { clientId, category: "proofOfAddress", fileName: "bill.pdf", size: bytes.length },
    });
    const id = created.body.value.id;
    const listed = await stack.rest("GET", base);
    expect(listed.body.value.map((d: any) => d.id)).toEqual([id]);
    expect((await stack.rest("GET", `${base}/${id}`)).body.value.status).toBe("active");
    const download = await fetch(`${stack.gateway.baseUrl}${base}/${id}/download`, {
      headers: { authorization: `Bearer ${stack.systemToken}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/pdf");
    expect(download.headers.get("content-disposition")).toContain('filename="bill.pdf"');
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    const deleted = await stack.rest("DELETE", `${base}/${id}?reason=superseded`);
    expect(deleted.body.value).toMatchObject({ status: "deleted", deletionReason: "superseded" });
    expect((await stack.rest("GET", `${base}/${id}/download`)).status).toBe(404);
    const front = await stack.rest("GET", base, { token: await stack.clientToken(clientId) });
    expect([front.status, front.body.errors[0].metadata.code]).toEqual([403, "FORBIDDEN"]);
  });

  it("When one file of a bulk upload is refused, then none is stored and each file has its result", async () => {
    const clientId = await importClient(stack);
    const base = `/internal/Clients/${clientId}/documents`;
    const files: Array<[Buffer, string, string]> = [
      [pdfBytes(30_000), "a.pdf", "application/pdf"],
      [programBytes(), "b.pdf", "application/pdf"],
      [pngBytes(), "c.png", "image/png"],
    ];
    const refused = await post(`${base}/bulk`, form("identity", files, "files"), stack.systemToken);
    expect(refused.status).toBe(415);
    expect(refused.body.errors.map((e: any) => e.metadata)).toEqual([
      expect.objectContaining({
        code: "DOCUMENT_TYPE_NOT_ALLOWED",
        field: "files[1]",
        rule: "DOCUMENT_TYPE_NOT_ALLOWED",
      }),
    ]);
    const [left] = await sql(
      stack,
      `SELECT count(*)::int AS n FROM client.document_chunk c JOIN client.document_upload u ON u.id = c.blob_id WHERE u.owner_id = $1`,
      [clientId],
    );
    expect(left.n).toBe(0);
    expect((await stack.rest("GET", base)).body.value).toEqual([]);

    const good = await post(
      `${base}/bulk`,
      form("identity", [files[0], files[2]], "files"),
      stack.systemToken,
    );
    expect(good.status).toBe(200);
    expect(good.body.value.map((d: any) => d.fileName)).toEqual(["a.pdf", "c.png"]);
    const missing = await post(base, form(undefined, [files[0]]), stack.systemToken);
    expect([missing.status, missing.body.errors[0].metadata]).toEqual([
      400,
      expect.objectContaining({ field: "category", rule: "required" }),
    ]);
  });

  it("When a front-office caller uses /Transfers/{transferId}/documents, then it answers plain bodies and problem details", async () => {
    const account = await openAccount(stack);
    await fund(stack, account.id, "100.00");
    const recipientId = await addRecipient(stack, account.clientId);
    const token = await stack.clientToken(account.clientId);
    const created = await stack.graphql(
      CREATE_OUTGOING,
      { input: { accountId: account.id, recipientId, amount: "10.00", reference: "x" }, key: key() },
      { token },
    );
    const transferId = created.data!.createOutgoingTransfer.id;
    const uploaded = await post(
      `/Transfers/${transferId}/documents`,
      form("invoice", [[pdfBytes(), "inv.pdf", "application/pdf"]]),
      token,
    );
    expect(uploaded).toMatchObject({ status: 200, body: { transferId, category: "invoice" } });
    const other = await stack.clientToken((await openAccount(stack)).clientId);
    const refused = await post(
      `/Transfers/${transferId}/documents`,
      form("invoice", [[pdfBytes(), "x.pdf", "application/pdf"]]),
      other,
    );
    expect([refused.status, refused.body.code]).toEqual([403, "FORBIDDEN"]);
    const list = await stack.rest("GET", `/Transfers/${transferId}/documents`, { token });
    expect(list.body.map((d: any) => d.id)).toEqual([uploaded.body.id]);
    const system = await stack.rest("GET", `/internal/Transfers/${transferId}/documents`, { token });
    expect(system.status).toBe(403);
    const bad = await stack.rest("GET", `/Transfers/not-a-uuid/documents/${uploaded.body.id}/download`, {
      token,
    });
    expect([bad.status, bad.body.errors[0]]).toEqual([
      400,
      expect.objectContaining({ field: "transferId", rule: "isUuid" }),
    ]);
  });

  it("When a /files path walks out of the document endpoints, then the gateway answers 404 and forwards nothing", async () => {
    for (const path of [
      "/files/client/%2e%2e/%2e%2e/graphql",
      "/files/client/../graphql",
      "/files/client/uploads/../../metrics",
      "/files/transfer/documents/x/../../../graphql",
    ]) {
      // Sent as is: fetch (the WHATWG URL parser) would resolve the dots before sending.
      const { status, text } = await rawPost(path, JSON.stringify({ query: "{ _service { sdl } }" }));
      expect({ path, status }).toEqual({ path, status: 404 });
      expect(text).not.toContain("sdl");
    }
  });

  it("When a multipart upload is cut off mid-file, then the gateway refuses it and keeps serving", async () => {
    const clientId = await importClient(stack);
    const url = new URL(`${stack.gateway.baseUrl}/internal/Clients/${clientId}/documents`);
    const boundary = "cut-off-boundary";
    const socket = net.connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    const head = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="category"',
      "",
      "identity",
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="a.pdf"',
      "Content-Type: application/pdf",
      "",
      "",
    ].join("\r\n");
    socket.write(
      [
        `POST ${url.pathname} HTTP/1.1`,
        `Host: ${url.host}`,
        `Authorization: Bearer ${stack.systemToken}`,
        `Content-Type: multipart/form-data; boundary=${boundary}`,
        "Content-Length: 1000000",
        "",
        "",
      ].join("\r\n") + head,
    );
    socket.write(pdfBytes());
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const health = await fetch(`${stack.gateway.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const list = await stack.rest("GET", `/internal/Clients/${clientId}/documents`, {
      token: stack.systemToken,
    });
    expect([list.status, list.body.value]).toEqual([200, []]);
  });
});
