/**
 * The transfer orchestrator's use cases, one instance per request. So far: recipients.
 * A front-office caller manages its own client's recipients only.
 */
import { type Caller, requireClientAccess } from "../../common/auth/caller";
import { AppError, validationError } from "../../common/errors";
import { type Page, pageRequest, toPage } from "../../common/graphql/pagination";
import { ibanProblem, normalizeIban } from "./domain/iban";
import type { RecipientRow } from "./persistence/entities";
import type { TransferLoaders } from "./persistence/transfer.loaders";
import type { RecipientFilter, TransferRepository } from "./persistence/transfer.repository";

const IBAN_RULES = {
  format: "an IBAN is a country code, two check digits and up to 30 letters or digits",
  length: "this country's IBANs have another length",
  checksum: "the check digits do not match: the IBAN has a typing error",
} as const;

export class TransferService {
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
    const clientId = this.ownClientId(input.clientId);
    const iban = normalizeIban(input.iban);
    const problem = ibanProblem(iban);
    if (problem) {
      throw validationError([
        {
          field: "iban",
          rule: `iban${problem[0].toUpperCase()}${problem.slice(1)}`,
          message: `iban: ${IBAN_RULES[problem]}`,
        },
      ]);
    }
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
    if (filter.clientId) requireClientAccess(this.caller, filter.clientId.toLowerCase());
    const clientId = this.caller.kind === "client" ? this.caller.clientId : filter.clientId;
    const page = pageRequest(first, after);
    const { rows, total } = await this.repository.listRecipients(
      { ...filter, clientId, currency: filter.currency?.toUpperCase() },
      page.size,
      page.after,
    );
    return toPage(rows, page.size, total);
  }

  async setRecipientVisibility(id: string, visible: boolean): Promise<RecipientRow> {
    const recipient = await this.recipient(id);
    if (!recipient) throw new AppError("RECIPIENT_NOT_FOUND", `No recipient ${id}`, { recipientId: id });
    const updated = await this.repository.setVisibility(recipient.id, visible);
    if (!updated) throw new AppError("RECIPIENT_NOT_FOUND", `No recipient ${id}`, { recipientId: id });
    this.loaders.recipientById.clear(id).prime(id, updated);
    return updated;
  }

  private ownClientId(given?: string | null): string {
    const clientId = (given ?? (this.caller.kind === "client" ? this.caller.clientId : "")).toLowerCase();
    if (!clientId) {
      throw validationError([
        { field: "clientId", rule: "required", message: "clientId is required for system callers" },
      ]);
    }
    requireClientAccess(this.caller, clientId);
    return clientId;
  }
}
