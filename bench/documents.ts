/**
 * `npm run bench:documents`: uploads and downloads documents through the gateway with N callers
 * at once, for each file size, and reports MB/s and the peak RSS (from /proc) of the gateway and
 * of the client subgraph, which stores the bytes. Memory must not grow with the file size: the
 * bytes are streamed at every hop (gateway proxy, subgraph checks, 256 KiB chunks in PostgreSQL).
 *
 * The client subgraph and the gateway run as processes of their own (`dist/.../main.js`) against
 * a fresh database on the PostgreSQL named by DATABASE_URL (default the machine's on 5432).
 * Options: `--sizes 1048576,10485760` (bytes), `--callers 8`, `--files 2` (per caller and size),
 * `--storage postgres|filesystem`, `--warmup 1` (untimed rounds at the largest size first, so that
 * every row starts from the subgraph's steady state), `--gc-every 0` (ms; above 0 the subgraph runs
 * bench/memory-probe.ts and the rows add its peak live set, heap + ArrayBuffers after forced GCs:
 * its peak RSS is then measured under those GCs too).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mintToken } from "../common/auth/tokens";
import { loadConfig } from "../common/config";
import { projectRoot } from "../common/paths";
import { admin, freePort, option, waitForHealth } from "./support";

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/**
 * The processes' peak RSS while `work` runs (MB), and the largest live set (heapUsed +
 * arrayBuffers right after a forced GC, MB) of `probed`, a process run with bench/memory-probe.ts.
 */
async function measured(
  pids: number[],
  probed: ChildProcess | undefined,
  everyMs: number,
  work: () => Promise<void>,
) {
  if (!probed) return { peaks: await peakRss(pids, work), live: undefined };
  const stopped = new Promise<number>((resolve) =>
    probed.once("message", (message: { liveMb: number }) => resolve(message.liveMb)),
  );
  probed.send({ probe: "start", everyMs });
  let peaks: number[];
  try {
    peaks = await peakRss(pids, work);
  } finally {
    probed.send({ probe: "stop" });
  }
  return { peaks, live: await stopped };
}

/** Samples the processes' RSS every 20 ms while `work` runs; their peaks in MB. */
async function peakRss(pids: number[], work: () => Promise<void>): Promise<number[]> {
  const peaks = pids.map(rssMb);
  const timer = setInterval(() => pids.forEach((pid, i) => (peaks[i] = Math.max(peaks[i], rssMb(pid)))), 20);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return peaks.map((mb) => Math.round(mb));
}

/** `size` bytes a PDF signature opens, the rest varying with `seed`. */
function pdf(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) bytes.writeUInt32LE((i * 2654435761 + seed) >>> 0, i);
  Buffer.from("%PDF-1.7\n").copy(bytes);
  return bytes;
}

async function main(): Promise<void> {
  const sizes = option("--sizes", "1048576,10485760").split(",").map(Number);
  const callers = Number(option("--callers", "8"));
  const files = Number(option("--files", "2"));
  const storage = option("--storage", "postgres");
  const gcEveryMs = Number(option("--gc-every", "0"));
  const warmup = Number(option("--warmup", "1"));
  const adminUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `core_banking_bench_${Date.now()}`;
  await admin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const [clientPort, gatewayPort] = await Promise.all([1, 2].map(freePort));
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "bench-documents-"));
  const env = {
    ...process.env,
    NODE_ENV: "development",
    DATABASE_URL: url.toString(),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    DOCUMENTS_STORAGE: storage,
    DOCUMENTS_DIR: directory,
    DOCUMENTS_MAX_BYTES: String(Math.max(10_485_760, ...sizes)),
    // 8 large uploads at once under forced GCs (--gc-every) may take longer than the default 30 s.
    HTTP_REQUEST_TIMEOUT_MS: "300000",
    CLIENT_SUBGRAPH_PORT: String(clientPort),
    CLIENT_SUBGRAPH_URL: `http://127.0.0.1:${clientPort}/graphql`,
    PORT: String(gatewayPort),
  };
  const children: ChildProcess[] = [];
  const run = (script: string, probe = false) => {
    const probeFlags = ["--expose-gc", "--require", path.join(projectRoot(), "dist/bench/memory-probe.js")];
    const child = spawn(
      process.execPath,
      [...(probe ? probeFlags : []), path.join(projectRoot(), "dist", script)],
      {
        env,
        stdio: probe ? ["inherit", "inherit", "inherit", "ipc"] : "inherit",
      },
    );
    children.push(child);
    return child;
  };
  try {
    const client = run("subgraphs/client/main.js", gcEveryMs > 0);
    await waitForHealth(`http://127.0.0.1:${clientPort}/health`);
    const gateway = run("gateway/main.js");
    await waitForHealth(`http://127.0.0.1:${gatewayPort}/health`);
    const base = `http://127.0.0.1:${gatewayPort}`;
    const token = await mintToken(loadConfig(env).auth, { kind: "system", subject: "bench" });
    const graphql = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(`${base}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: any; errors?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const imported = await graphql(
      `
        mutation ($input: ImportIndividualClientInput!) {
          importIndividualClient(input: $input) {
            clientId
          }
        }
      `,
      { input: importInput() },
    );
    const clientId = imported.importIndividualClient.clientId as string;
    const probed = gcEveryMs > 0 ? client : undefined;
    const rows = [];
    const round = async (size: number) => {
      const bodies = Array.from({ length: callers }, (_, i) => pdf(size, i + size));
      const stored: Array<{ id: string; url: string; sha256: string }> = [];
      let started = performance.now();
      const upload = await measured([gateway.pid!, client.pid!], probed, gcEveryMs, async () => {
        await Promise.all(
          bodies.map(async (bytes) => {
            const sha256 = createHash("sha256").update(bytes).digest("hex");
            for (let f = 0; f < files; f++) {
              const created = await graphql(
                `
                  mutation ($input: CreateClientDocumentUploadInput!) {
                    createClientDocumentUpload(input: $input) {
                      id
                      uploadUrl
                    }
                  }
                `,
                {
                  input: {
                    clientId,
                    category: "IDENTITY",
                    fileName: "scan.pdf",
                    contentType: "application/pdf",
                    size,
                    sha256,
                  },
                },
              );
              const { id, uploadUrl } = created.createClientDocumentUpload;
              const put = await fetch(`${base}${uploadUrl}`, {
                method: "PUT",
                headers: { authorization: `Bearer ${token}` },
                body: bytes,
              });
              if (put.status !== 200) throw new Error(`PUT ${put.status}: ${await put.text()}`);
              const done = await graphql(
                `
                  mutation ($id: ID!) {
                    completeClientDocumentUpload(uploadId: $id) {
                      id
                      downloadUrl
                    }
                  }
                `,
                { id },
              );
              stored.push({ id, url: done.completeClientDocumentUpload.downloadUrl, sha256 });
            }
          }),
        );
      });
      const uploadSeconds = (performance.now() - started) / 1000;
      started = performance.now();
      const download = await measured([gateway.pid!, client.pid!], probed, gcEveryMs, async () => {
        for (let i = 0; i < stored.length; i += callers) {
          await Promise.all(
            stored.slice(i, i + callers).map(async (document) => {
              const response = await fetch(`${base}${document.url}`, {
                headers: { authorization: `Bearer ${token}` },
              });
              const hash = createHash("sha256");
              for await (const chunk of response.body!) hash.update(chunk);
              if (hash.digest("hex") !== document.sha256)
                throw new Error(`download of ${document.id} differs`);
            }),
          );
        }
      });
      const downloadSeconds = (performance.now() - started) / 1000;
      const megabytes = (size * stored.length) / 1_048_576;
      return {
        fileMiB: +(size / 1_048_576).toFixed(2),
        files: stored.length,
        callers,
        uploadMBps: +(megabytes / uploadSeconds).toFixed(1),
        downloadMBps: +(megabytes / downloadSeconds).toFixed(1),
        gatewayPeakRssMb: { upload: upload.peaks[0], download: download.peaks[0] },
        clientSubgraphPeakRssMb: { upload: upload.peaks[1], download: download.peaks[1] },
        ...(probed && { clientSubgraphPeakLiveMb: { upload: upload.live, download: download.live } }),
      };
    };
    // V8 collects the garbage of a transfer (socket reads, chunks, pg messages: ArrayBuffers
    // outside its heap) only once that external memory has grown by its soft limit (about 64 MB),
    // so a process that has moved fewer bytes than that since it started shows a lower peak RSS
    // than one in its steady state. Untimed rounds at the largest size bring it there first.
    for (let i = 0; i < warmup; i++) await round(Math.max(...sizes));
    for (const size of sizes) rows.push(await round(size));
    process.stdout.write(
      `${JSON.stringify({ storage, warmupRounds: warmup, gcEveryMs, results: rows }, null, 2)}\n`,
    );
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

function importInput() {
  return {
    externalId: `bench-${randomUUID()}`,
    riskLevel: "LOW",
    address: { streetLine1: "1 High Street", city: "London", zip: "E1 6AN", country: "GB" },
    phoneNumber: "+442071234567",
    email: "ann.lee@example.com",
    firstName: "Ann",
    lastName: "Lee",
    dateOfBirth: "1980-01-01",
    citizenshipCountry: "GB",
    residenceCountry: "GB",
    identificationDocument: {
      issuedBy: "HMPO",
      expirationDate: "2031-01-01",
      type: "PASSPORT",
      number: "123456789",
      issuedCountryCode: "GB",
      issuedDate: "2021-01-01",
    },
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
