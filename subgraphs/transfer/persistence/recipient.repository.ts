import type { DataSource } from "typeorm";
import { findByIds, keysetPage } from "../../../common/db/data-source";
import type { RowProperties } from "../../../common/db/row-reader";
import type { KeysetPosition } from "../../../common/db/keyset-position";
import { RecipientRow } from "./entities";

export interface RecipientFilter {
  clientId?: string | null;
  currency?: string | null;
  includeHidden?: boolean | null;
}

/** Recipients: the beneficiaries at other banks a client pays. */
export class RecipientRepository {
  constructor(private readonly db: DataSource) {}

  /** Inserts a recipient; null when the client already has this IBAN in this currency (the unique key decides). */
  async insertRecipient(recipient: Omit<RecipientRow, "id" | "visible" | "createdAt" | "updatedAt">) {
    const inserted = await this.db
      .createQueryBuilder()
      .insert()
      .into(RecipientRow)
      .values(recipient)
      .orIgnore()
      .returning("id")
      .execute();
    const id = (inserted.raw as { id: string }[])[0]?.id;
    return id ? this.db.getRepository(RecipientRow).findOneByOrFail({ id }) : null;
  }

  async findRecipient(clientId: string, iban: string, currency: string) {
    return this.db.getRepository(RecipientRow).findOneBy({ clientId, iban, currency });
  }

  recipientsByIds(ids: readonly string[]): Promise<RecipientRow[]> {
    return findByIds(this.db, RecipientRow, ids);
  }

  async listRecipients(
    filter: RecipientFilter,
    size: number,
    after?: KeysetPosition,
    properties?: RowProperties,
  ) {
    const query = this.db.getRepository(RecipientRow).createQueryBuilder("r");
    if (filter.clientId) query.andWhere("r.client_id = :clientId", { clientId: filter.clientId });
    if (filter.currency) query.andWhere("r.currency = :currency", { currency: filter.currency });
    if (!filter.includeHidden) query.andWhere("r.visible");
    return keysetPage(query, size, after, properties);
  }

  async setVisibility(id: string, visible: boolean): Promise<RecipientRow | null> {
    const result = await this.db
      .createQueryBuilder()
      .update(RecipientRow)
      .set({ visible, updatedAt: () => "now()" })
      .where("id = :id", { id })
      .execute();
    return result.affected ? this.db.getRepository(RecipientRow).findOneByOrFail({ id }) : null;
  }
}
