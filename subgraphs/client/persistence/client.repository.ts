import type { DataSource, EntityManager } from "typeorm";
import { findByIds, findByUuids, keysetPage, type KeysetRows } from "../../../common/db/data-source";
import { counterCount } from "../../../common/db/row-counter";
import type { RowProperties } from "../../../common/db/row-reader";
import type { KeysetPosition } from "../../../common/db/keyset-position";
import { ClientStatus, ClientType, RiskLevel } from "../domain/enums";
import { CLIENT_COUNTER } from "./counters";
import { Client, ClientStatusChange } from "./entities";

export interface ClientFilter {
  status?: ClientStatus | null;
  type?: ClientType | null;
  riskLevel?: RiskLevel | null;
  /** Case-insensitive substring of name, legal name, email or external id. */
  search?: string | null;
}

/**
 * Matches of a search counted at most (decision 0063): a broad search's exact count grows with
 * the table (11,111 of 100,000 seeded clients match `last5`); up to this many it is exact.
 */
export const SEARCH_COUNT_CAP = 1_000;

export interface StatusChangeFacts {
  reason: string | null;
  changedBy: string;
  requestId: string | null;
}

export type NewClient = Omit<Client, "id" | "createdAt" | "updatedAt" | "version" | "riskLevelCode">;

export class ClientRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Inserts a client and its first history entry in one transaction. Returns null, and
   * writes nothing, when the external id is taken: the unique constraint decides, so two
   * imports arriving at the same instant cannot both succeed.
   */
  async insertUnlessExternalIdTaken(client: NewClient, facts: StatusChangeFacts): Promise<Client | null> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx
        .createQueryBuilder()
        .insert()
        .into(Client)
        .values(client)
        .orIgnore()
        .returning("*")
        .execute();
      if (inserted.raw.length === 0) return null;
      const id = (inserted.raw[0] as { id: string }).id;
      await this.recordStatusChange(tx, id, null, client.status, facts);
      return tx.findOneByOrFail(Client, { id });
    });
  }

  async findByExternalId(externalId: string): Promise<Client | null> {
    return this.db.getRepository(Client).findOneBy({ externalId });
  }

  /** One statement for any number of ids, in no particular order. */
  findByIds(ids: readonly string[]): Promise<Client[]> {
    return findByIds(this.db, Client, ids);
  }

  /** A page of clients in creation order, and the count of those matching (run only if asked; a search's capped). */
  async list(
    filter: ClientFilter,
    size: number,
    after?: KeysetPosition,
    properties?: RowProperties,
  ): Promise<KeysetRows<Client>> {
    const query = this.db.getRepository(Client).createQueryBuilder("c");
    if (filter.status) query.andWhere("c.status = :status", { status: filter.status });
    if (filter.type) query.andWhere("c.type = :type", { type: filter.type });
    if (filter.riskLevel) query.andWhere("c.risk_level = :riskLevel", { riskLevel: filter.riskLevel });
    if (filter.search) {
      const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      // search_text: the four columns lowercased, one trigram index (migration 1732420000000).
      query.andWhere("c.search_text LIKE lower(:pattern)", { pattern });
    }
    // Status, type and risk level alone (no search): the counter counts them exactly. A search
    // counts its matches up to a cap (decision 0063).
    const counting = filter.search
      ? { cap: SEARCH_COUNT_CAP }
      : counterCount(this.db, CLIENT_COUNTER, filter);
    return keysetPage(query, size, after, properties, counting);
  }

  /**
   * Moves a client from the status it had when read to `to` and records it, in one
   * transaction. The UPDATE is guarded by the version read: it returns null when another
   * change got there first (even one that came back to the same status).
   */
  async changeStatus(
    read: Pick<Client, "id" | "status" | "version">,
    to: ClientStatus,
    facts: StatusChangeFacts,
  ): Promise<Client | null> {
    const { id, status: from, version } = read;
    return this.db.transaction(async (tx) => {
      const updated = await tx
        .createQueryBuilder()
        .update(Client)
        .set({ status: to, updatedAt: () => "now()", version: () => "version + 1" })
        .where("id = :id AND version = :version", { id, version })
        .execute();
      if (!updated.affected) return null;
      await this.recordStatusChange(tx, id, from, to, facts);
      return tx.findOneByOrFail(Client, { id });
    });
  }

  /** Status histories of many clients in one statement, oldest first. */
  statusHistories(clientIds: readonly string[]): Promise<ClientStatusChange[]> {
    return findByUuids(this.db, ClientStatusChange, "clientId", clientIds, { id: "ASC" });
  }

  private async recordStatusChange(
    tx: EntityManager,
    clientId: string,
    from: ClientStatus | null,
    to: ClientStatus,
    facts: StatusChangeFacts,
  ): Promise<void> {
    await tx.insert(ClientStatusChange, { clientId, from, to, ...facts });
  }
}
