/**
 * Transfer documents through the gateway: the owner's front office and system callers upload,
 * list, download and delete; another client is FORBIDDEN; and, with TRANSFER_DOCUMENT_REQUIRED_ABOVE
 * set, an outgoing transfer above it is confirmed only once it has a supporting document.
 */
import pg from "pg";
import { fund, openAccount } from "../helpers/ledger";
import {
  COMPLETE_UPLOAD,
  createUpload,
  DELETE_DOCUMENT,
  leftovers,
  pdfBytes,
  programBytes,
  send,
  tryCreateUpload,
  uploadDocument,
} from "../helpers/documents";
import { type Stack, startStack } from "../helpers/stack";
import { addRecipient, CONFIRM, CREATE_OUTGOING, key, sentCode } from "../helpers/transfers";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ TRANSFER_DOCUMENT_REQUIRED_ABOVE: "EUR=50" });
});
afterAll(() => stack.stop());

const DOCUMENTS = `query($id: ID!) { transfer(id: $id) { id documents { id status transferId category } } }`;

async function pendingTransfer(amount: string) {
  const account = await openAccount(stack);
  await fund(stack, account.id, "1000.00");
  const recipientId = await addRecipient(stack, account.clientId);
  const token = await stack.clientToken(account.clientId);
  const created = await stack.graphql(
    CREATE_OUTGOING,
    { input: { accountId: account.id, recipientId, amount, reference: "Invoice 42" }, key: key() },
    { token },
  );
  expect(created.errors).toBeUndefined();
  return { clientId: account.clientId, token, transferId: created.data!.createOutgoingTransfer.id as string };
}

describe("transfer documents", () => {
  it("When an outgoing transfer above the threshold has no document, then it cannot be confirmed until one is uploaded", async () => {
    const { token, transferId } = await pendingTransfer("60.00");
    const code = await sentCode(stack, transferId);
    const refused = await stack.graphql(CONFIRM, { id: transferId, code }, { token });
    expect(refused.errors![0].extensions).toMatchObject({
      code: "TRANSFER_DOCUMENT_REQUIRED",
      currency: "EUR",
      max: "50",
    });

    const document = await uploadDocument(stack, {
      owner: "transfer",
      ownerId: transferId,
      token,
      fileName: "invoice.pdf",
    });
    expect(document).toMatchObject({ transferId, category: "INVOICE", status: "ACTIVE" });
    const confirmed = await stack.graphql(CONFIRM, { id: transferId, code }, { token });
    expect(confirmed.errors).toBeUndefined();
    expect(confirmed.data!.confirmTransfer.status).not.toBe("PENDING_CONFIRMATION");
    // Confirmed: the customer may no longer delete it; the bank may.
    const mine = await stack.graphql(
      DELETE_DOCUMENT("transfer"),
      { id: document.id, reason: "oops" },
      { token },
    );
    expect(mine.errors![0].extensions!.code).toBe("FORBIDDEN");
    const bank = await stack.graphql(DELETE_DOCUMENT("transfer"), { id: document.id, reason: "duplicate" });
    expect(bank.data!.deleteTransferDocument).toMatchObject({ status: "DELETED", deletedBy: "test-system" });
  });

  it("When the transfer is below the threshold, then it confirms without a document; its owner may delete one while it waits", async () => {
    const { token, transferId } = await pendingTransfer("40.00");
    const document = await uploadDocument(stack, { owner: "transfer", ownerId: transferId, token });
    const listed = await stack.graphql(DOCUMENTS, { id: transferId }, { token });
    expect(listed.data!.transfer.documents).toEqual([
      { id: document.id, status: "ACTIVE", transferId, category: "INVOICE" },
    ]);
    const download = await send(stack, "GET", document.downloadUrl, token);
    expect(download.body.equals(pdfBytes())).toBe(true);
    const deleted = await stack.graphql(
      DELETE_DOCUMENT("transfer"),
      { id: document.id, reason: "wrong file" },
      { token },
    );
    expect(deleted.data!.deleteTransferDocument.status).toBe("DELETED");
    const code = await sentCode(stack, transferId);
    expect((await stack.graphql(CONFIRM, { id: transferId, code }, { token })).errors).toBeUndefined();
  });

  it("When another client reaches for a transfer's documents, then every step is FORBIDDEN, and a disguised file leaves nothing", async () => {
    const { token, transferId } = await pendingTransfer("10.00");
    const other = await pendingTransfer("10.00");
    const document = await uploadDocument(stack, { owner: "transfer", ownerId: transferId, token });
    const create = await tryCreateUpload(stack, {
      owner: "transfer",
      ownerId: transferId,
      token: other.token,
    });
    expect(create.errors![0].extensions!.code).toBe("FORBIDDEN");
    const listed = await stack.graphql(DOCUMENTS, { id: transferId }, { token: other.token });
    expect(listed.errors![0].extensions!.code).toBe("FORBIDDEN");
    expect((await send(stack, "GET", document.downloadUrl, other.token)).status).toBe(403);

    const bytes = programBytes();
    const upload = await createUpload(stack, {
      owner: "transfer",
      ownerId: transferId,
      token,
      bytes,
      fileName: "x.pdf",
    });
    const put = await send(stack, "PUT", upload.uploadUrl, token, bytes);
    expect([put.status, put.json().code]).toEqual([415, "DOCUMENT_TYPE_NOT_ALLOWED"]);
    expect(await leftovers(stack, "transfer", upload.id)).toMatchObject({
      status: "FAILED",
      chunks: 0,
      documents: 0,
    });
    const complete = await stack.graphql(COMPLETE_UPLOAD("transfer"), { id: upload.id }, { token });
    expect(complete.errors![0].extensions!.code).toBe("DOCUMENT_UPLOAD_INVALID_STATE");
  });

  it("When the owner deletes the document while the transfer is being confirmed, then the deletion waits and is refused once the transfer is confirmed", async () => {
    const { token, transferId } = await pendingTransfer("60.00");
    const document = await uploadDocument(stack, { owner: "transfer", ownerId: transferId, token });
    // A confirmation in progress: it holds the transfer's row, as takeAction does, and commits CONFIRMED.
    const confirming = new pg.Client({ connectionString: stack.databaseUrl });
    await confirming.connect();
    try {
      await confirming.query("BEGIN");
      await confirming.query("SELECT id FROM transfer.transfer WHERE id = $1 FOR UPDATE", [transferId]);
      const deleting = stack.graphql(
        DELETE_DOCUMENT("transfer"),
        { id: document.id, reason: "race" },
        { token },
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await confirming.query("UPDATE transfer.transfer SET status = 'CONFIRMED' WHERE id = $1", [transferId]);
      await confirming.query("COMMIT");
      const deleted = await deleting;
      expect(deleted.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    } finally {
      await confirming.end();
    }
    const listed = await stack.graphql(DOCUMENTS, { id: transferId }, { token });
    expect(listed.data!.transfer.documents).toEqual([
      expect.objectContaining({ id: document.id, status: "ACTIVE" }),
    ]);
  });
});
