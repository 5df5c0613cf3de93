/** The document rules without I/O: file names made safe, signed URLs bound to caller, purpose, id and expiry, the transfer rule. */
import { contentDisposition, sanitizeFileName } from "../../common/documents/rules";
import { UrlSigner } from "../../common/documents/signed-url";
import { AppError } from "../../common/errors";
import { needsSupportingDocument } from "../../subgraphs/transfer/domain/documents";

describe("document rules", () => {
  it("When a file name carries a path, reserved characters or hidden-file dots, then only a safe last segment is kept", () => {
    expect(sanitizeFileName("C:\\Users\\ann\\..\\passport.pdf")).toBe("passport.pdf");
    expect(sanitizeFileName("../../etc/passwd")).toBe("passwd");
    expect(sanitizeFileName('  .hidden  "quote" <b>.pdf ')).toBe("hidden quote b.pdf");
    expect(sanitizeFileName("...")).toBe("document");
    expect(sanitizeFileName("a\u202egpj.exe")).toBe("agpj.exe");
    const long = sanitizeFileName(`${"x".repeat(300)}.pdf`);
    expect([long.length, long.endsWith(".pdf")]).toEqual([120, true]);
    expect(contentDisposition("Über 1.pdf")).toBe(
      `attachment; filename="_ber 1.pdf"; filename*=UTF-8''%C3%9Cber%201.pdf`,
    );
  });

  it("When a signed URL is checked, then it holds only for its caller, purpose and id, and until its expiry", () => {
    const signer = new UrlSigner("secret", 60, "client");
    const alice = { kind: "client" as const, subject: "alice", clientId: "c1" };
    const { url } = signer.mint("download", "d1", alice);
    const query = Object.fromEntries(new URL(url, "http://x").searchParams);
    expect(() => signer.verify("download", "d1", alice, query)).not.toThrow();
    const code = (run: () => void) => {
      try {
        run();
        return "OK";
      } catch (error) {
        return (error as AppError).code;
      }
    };
    expect(code(() => signer.verify("download", "d1", { ...alice, subject: "bob" }, query))).toBe(
      "FORBIDDEN",
    );
    expect(code(() => signer.verify("download", "d1", { ...alice, clientId: "c2" }, query))).toBe(
      "FORBIDDEN",
    );
    expect(code(() => signer.verify("upload", "d1", alice, query))).toBe("FORBIDDEN");
    expect(code(() => signer.verify("download", "d2", alice, query))).toBe("FORBIDDEN");
    expect(code(() => new UrlSigner("other", 60, "client").verify("download", "d1", alice, query))).toBe(
      "FORBIDDEN",
    );
    expect(code(() => signer.verify("download", "d1", alice, query, Date.now() + 61_000))).toBe(
      "DOCUMENT_URL_EXPIRED",
    );
  });

  it("When an outgoing transfer is above its currency's threshold, then it needs a document; other kinds and currencies do not", () => {
    const rule = { EUR: "10000", JPY: "1500000" };
    expect(needsSupportingDocument({ kind: "OUTGOING", amount: "10000.01", currency: "EUR" }, rule)).toBe(
      true,
    );
    expect(needsSupportingDocument({ kind: "OUTGOING", amount: "10000.00", currency: "EUR" }, rule)).toBe(
      false,
    );
    expect(needsSupportingDocument({ kind: "INTERNAL", amount: "99999.00", currency: "EUR" }, rule)).toBe(
      false,
    );
    expect(needsSupportingDocument({ kind: "OUTGOING", amount: "99999.00", currency: "USD" }, rule)).toBe(
      false,
    );
    expect(needsSupportingDocument({ kind: "OUTGOING", amount: "1500001", currency: "JPY" }, rule)).toBe(
      true,
    );
  });
});
