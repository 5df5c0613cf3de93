import type { DataSource } from "typeorm";
import { isUuid } from "../../../common/ids";
import { FxQuoteRow } from "./entities";

/** FX quotes: a rate good for one transfer until it expires. */
export class QuoteRepository {
  constructor(private readonly db: DataSource) {}

  async insertQuote(quote: Omit<FxQuoteRow, "id" | "expiresAt" | "createdAt">, ttlSeconds: number) {
    const inserted = await this.db
      .createQueryBuilder()
      .insert()
      .into(FxQuoteRow)
      .values({ ...quote, expiresAt: () => `now() + make_interval(secs => ${Number(ttlSeconds)})` })
      .returning("id")
      .execute();
    const id = (inserted.raw as { id: string }[])[0].id;
    return this.db.getRepository(FxQuoteRow).findOneByOrFail({ id });
  }

  /** The quote and whether it is still good by the database's clock. */
  async quote(id: string): Promise<{ quote: FxQuoteRow; expired: boolean } | null> {
    if (!isUuid(id)) return null;
    const quote = await this.db.getRepository(FxQuoteRow).findOneBy({ id });
    if (!quote) return null;
    const [{ expired }] = (await this.db.query(`SELECT $1::timestamptz <= now() AS expired`, [
      quote.expiresAt,
    ])) as [{ expired: boolean }];
    return { quote, expired };
  }
}
