/**
 * Recipients: the beneficiaries at other banks a client pays, one instance per request. A
 * front-office caller works with its own client's recipients only.
 */
import { type Caller, clientIdFor, listScope } from "../../common/auth/caller";
import { AppError } from "../../common/errors";
import { fetchPage, type Page } from "../../common/graphql/pagination";
import { ibanError, ibanProblem, normalizeIban } from "./domain/iban";
import type { RecipientRow } from "./persistence/entities";
import type { TransferLoaders } from "./persistence/transfer.loaders";
import type { RecipientFilter, TransferRepository } from "./persistence/transfer.repository";

export class RecipientService {
  constructor(
    private readonly repository: TransferRepository,
    private readonly loaders: TransferLoaders,
    private readonly caller: Caller,
  ) {}

  async addRecipient(input: {
    clientId?: string | null;
    name: string;
    iban: string;
    bic?: string | null;
    currency: string;
  }) {
    const clientId = clientIdFor(this.caller, input.clientId);
    const iban = normalizeIban(input.iban);
    const problem = ibanProblem(iban);
    if (problem) throw ibanError("iban", problem);
    const currency = input.currency.toUpperCase();
    const recipient = await this.repository.insertRecipient({
      clientId,
      name: input.name,
      iban,
      bic: input.bic ? input.bic.toUpperCase() : null,
      currency,
      country: iban.slice(0, 2),
    });
    if (!recipient) {
      const existing = await this.repository.findRecipient(clientId, iban, currency);
      throw new AppError(
        "RECIPIENT_ALREADY_EXISTS",
        "This client already has a recipient with this IBAN and currency",
        {
          field: "iban",
          recipientId: existing?.id,
        },
      );
    }
    return recipient;
  }

  /** A recipient the caller may see; a front-office caller gets FORBIDDEN for any not its own. */
  async recipient(id: string): Promise<RecipientRow | null> {
    const recipient = await this.loaders.recipientById.load(id);
    if (this.caller.kind === "client" && recipient?.clientId !== this.caller.clientId) {
      throw new AppError("FORBIDDEN", "A front-office token may only reach its own client's recipients");
    }
    return recipient;
  }

  async recipients(
    filter: RecipientFilter,
    first?: number | null,
    after?: string | null,
  ): Promise<Page<RecipientRow>> {
    const clientId = listScope(this.caller, filter.clientId);
    return fetchPage(first, after, (size, position) =>
      this.repository.listRecipients(
        { ...filter, clientId, currency: filter.currency?.toUpperCase() },
        size,
        position,
      ),
    );
  }

  async setRecipientVisibility(id: string, visible: boolean): Promise<RecipientRow> {
    const recipient = await this.recipient(id);
    if (!recipient) throw new AppError("RECIPIENT_NOT_FOUND", `No recipient ${id}`, { recipientId: id });
    const updated = await this.repository.setVisibility(recipient.id, visible);
    if (!updated) throw new AppError("RECIPIENT_NOT_FOUND", `No recipient ${id}`, { recipientId: id });
    this.loaders.recipientById.clear(id).prime(id, updated);
    return updated;
  }
}
