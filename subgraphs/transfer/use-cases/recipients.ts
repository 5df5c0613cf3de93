/**
 * Recipients: the beneficiaries at other banks a client pays. A front-office caller works with
 * its own client's recipients only.
 */
import type { RowProperties } from "../../../common/db/row-reader";
import { clientIdFor, listScope } from "../../../common/auth/caller";
import { AppError } from "../../../common/errors";
import { fetchPage, type Page } from "../../../common/graphql/pagination";
import { ibanError, ibanProblem, normalizeIban } from "../domain/iban";
import type { RecipientRow } from "../persistence/entities";
import type { RecipientFilter } from "../persistence/recipient.repository";
import type { Needs } from "./deps";

export interface AddRecipientInput {
  clientId?: string | null;
  name: string;
  iban: string;
  bic?: string | null;
  currency: string;
}

/** A new recipient; RECIPIENT_ALREADY_EXISTS (naming it) when the client has this IBAN in this currency. */
export async function addRecipient(
  deps: Needs<"recipients">,
  input: AddRecipientInput,
): Promise<RecipientRow> {
  const clientId = clientIdFor(deps.caller, input.clientId);
  const iban = normalizeIban(input.iban);
  const problem = ibanProblem(iban);
  if (problem) throw ibanError("iban", problem);
  const currency = input.currency.toUpperCase();
  const recipient = await deps.recipients.insertRecipient({
    clientId,
    name: input.name,
    iban,
    bic: input.bic ? input.bic.toUpperCase() : null,
    currency,
    country: iban.slice(0, 2),
  });
  if (!recipient) {
    const existing = await deps.recipients.findRecipient(clientId, iban, currency);
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
export async function recipient(deps: Needs<"loaders">, id: string): Promise<RecipientRow | null> {
  const found = await deps.loaders.recipientById.load(id);
  if (deps.caller.kind === "client" && found?.clientId !== deps.caller.clientId) {
    throw new AppError("FORBIDDEN", "A front-office token may only reach its own client's recipients");
  }
  return found;
}

/** Visible (or, asked for, all) recipients in the order they were added. Front office: its own. */
export function recipients(
  deps: Needs<"recipients">,
  filter: RecipientFilter,
  first?: number | null,
  after?: string | null,
  properties?: RowProperties,
): Promise<Page<RecipientRow>> {
  const clientId = listScope(deps.caller, filter.clientId);
  return fetchPage(first, after, (size, position) =>
    deps.recipients.listRecipients(
      { ...filter, clientId, currency: filter.currency?.toUpperCase() },
      size,
      position,
      properties,
    ),
  );
}

/** Hides (or shows again) a recipient; past transfers keep it. */
export async function setRecipientVisibility(
  deps: Needs<"recipients" | "loaders">,
  id: string,
  visible: boolean,
): Promise<RecipientRow> {
  const shown = await recipient(deps, id);
  if (!shown) throw new AppError("RECIPIENT_NOT_FOUND", `No recipient ${id}`, { recipientId: id });
  const updated = await deps.recipients.setVisibility(shown.id, visible);
  if (!updated) throw new AppError("RECIPIENT_NOT_FOUND", `No recipient ${id}`, { recipientId: id });
  deps.loaders.recipientById.clear(id).prime(id, updated);
  return updated;
}
