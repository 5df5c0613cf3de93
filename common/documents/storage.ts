/**
 * Where document bytes live, behind one small port (decision 0034): PostgreSQL by default (the
 * subgraph's own `document_chunk` table, so the embedded start needs nothing else), or a
 * directory. Both stream: a write holds one chunk at a time, a read fetches as the reader takes.
 * A write that fails (a check of the source throws, the connection drops) leaves nothing behind.
 */
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { DataSource } from "typeorm";
import type { DocumentConfig } from "../config";

export interface DocumentStorage {
  /** Stores everything `source` yields under `id`; if `source` throws, removes what it wrote and rethrows. */
  write(id: string, source: AsyncIterable<Buffer>): Promise<void>;
  /** The bytes stored under `id`, streamed. */
  read(id: string): Readable;
  /** Removes the bytes of `id`; nothing happens when there are none. */
  remove(id: string): Promise<void>;
}

/** The storage the configuration names, for the subgraph owning PostgreSQL schema `schema`. */
export function createDocumentStorage(config: DocumentConfig, dataSource: DataSource, schema: string) {
  return config.storage.kind === "filesystem"
    ? new FileDocumentStorage(path.join(config.storage.directory, schema))
    : new PostgresDocumentStorage(dataSource, schema);
}

/** Bytes per stored chunk: one row of `document_chunk`, the most a write or a read holds. */
export const CHUNK_BYTES = 256 * 1024;

/** `source` cut into chunks of exactly {@link CHUNK_BYTES} (the last one shorter). */
async function* rechunk(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let length = 0;
  for await (const piece of source) {
    parts.push(piece);
    length += piece.length;
    while (length >= CHUNK_BYTES) {
      const whole = Buffer.concat(parts, length);
      yield whole.subarray(0, CHUNK_BYTES);
      parts = [whole.subarray(CHUNK_BYTES)];
      length -= CHUNK_BYTES;
    }
  }
  if (length > 0) yield Buffer.concat(parts, length);
}

/** Chunks in `<schema>.document_chunk (blob_id, seq, data)`, one INSERT each, read back in order. */
export class PostgresDocumentStorage implements DocumentStorage {
  private readonly table: string;

  constructor(
    private readonly db: DataSource,
    schema: string,
  ) {
    this.table = `"${schema}".document_chunk`;
  }

  async write(id: string, source: AsyncIterable<Buffer>): Promise<void> {
    let seq = 0;
    try {
      for await (const chunk of rechunk(source)) {
        await this.db.query(`INSERT INTO ${this.table} (blob_id, seq, data) VALUES ($1, $2, $3)`, [
          id,
          seq++,
          chunk,
        ]);
      }
    } catch (error) {
      await this.remove(id);
      throw error;
    }
  }

  read(id: string): Readable {
    const { db, table } = this;
    return Readable.from(
      (async function* () {
        // Two chunks per query: a reader that stops reading stops the queries too.
        for (let seq = 0; ; seq += 2) {
          const rows: Array<{ data: Buffer }> = await db.query(
            `SELECT data FROM ${table} WHERE blob_id = $1 AND seq >= $2 ORDER BY seq LIMIT 2`,
            [id, seq],
          );
          for (const row of rows) yield row.data;
          if (rows.length < 2) return;
        }
      })(),
      { objectMode: false },
    );
  }

  async remove(id: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.table} WHERE blob_id = $1`, [id]);
  }
}

/**
 * One file per document in `directory`: written as `<id>.part` and renamed when whole, so a
 * file under its final name is always complete; a failed write removes the part.
 */
export class FileDocumentStorage implements DocumentStorage {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly directory: string) {}

  async write(id: string, source: AsyncIterable<Buffer>): Promise<void> {
    await (this.ready ??= fs.promises.mkdir(this.directory, { recursive: true, mode: 0o700 }));
    const part = `${this.fileOf(id)}.part`;
    try {
      await pipeline(source, fs.createWriteStream(part, { flags: "wx", mode: 0o600 }));
      await fs.promises.rename(part, this.fileOf(id));
    } catch (error) {
      await fs.promises.rm(part, { force: true });
      throw error;
    }
  }

  read(id: string): Readable {
    return fs.createReadStream(this.fileOf(id));
  }

  async remove(id: string): Promise<void> {
    await fs.promises.rm(this.fileOf(id), { force: true });
  }

  private fileOf(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error("a document id is a canonical UUID");
    return path.join(this.directory, id);
  }
}
