/**
 * The client profile use cases. One instance per request (made in the context factory),
 * holding the caller and the request's loaders. Each method reads as the whole story of
 * its operation: who may do it, what is checked, what is written.
 */
import type { RowProperties } from "../../common/db/row-reader";
import { type Caller, requireClientAccess, requireSystem } from "../../common/auth/caller";
import { AppError } from "../../common/errors";
import { fetchPage, type Page } from "../../common/graphql/pagination";
import { assertCanUnblock, assertStatusTransition, initialStatus } from "./domain/client-status";
import { ClientStatus, ClientType } from "./domain/enums";
import type { IndividualClientImport } from "./domain/individual-import";
import type { ClientFilter, ClientRepository } from "./persistence/client.repository";
import type { Client, ClientStatusChange } from "./persistence/entities";
import type { ClientLoaders } from "./persistence/loaders";

export class ClientService {
  constructor(
    private readonly repository: ClientRepository,
    private readonly loaders: ClientLoaders,
    private readonly caller: Caller,
    private readonly requestId: string,
  ) {}

  /** A client by id, or null. A front-office caller may only ask for its own client. */
  async get(id: string): Promise<Client | null> {
    requireClientAccess(this.caller, id);
    return this.loaders.clientById.load(id);
  }

  /**
   * The front-office caller's own client (FORBIDDEN for a system caller, which has none). The
   * bank's risk and compliance fields stay system-only on it, as on `client` (decision 0006).
   */
  async me(): Promise<Client | null> {
    if (this.caller.kind !== "client") {
      throw new AppError(
        "FORBIDDEN",
        "me is the front-office caller's own profile; system callers use client(id)",
      );
    }
    return this.loaders.clientById.load(this.caller.clientId);
  }

  /** A page of clients; `properties`: those its nodes will read (all if undefined). */
  async list(
    filter: ClientFilter,
    first?: number | null,
    after?: string | null,
    properties?: RowProperties,
  ): Promise<Page<Client>> {
    requireSystem(this.caller);
    return fetchPage(first, after, (size, position) =>
      this.repository.list(filter, size, position, properties),
    );
  }

  /**
   * Imports an individual onboarded elsewhere. Input rules were checked at the edge; the
   * unique external id is enforced by the database, so concurrent duplicates lose cleanly.
   */
  async importIndividual(input: IndividualClientImport): Promise<{ clientId: string; externalId: string }> {
    requireSystem(this.caller);
    const status = initialStatus(input.riskLevel);
    const created = await this.repository.insertUnlessExternalIdTaken(
      {
        type: ClientType.INDIVIDUAL,
        externalId: input.externalId,
        status,
        riskLevel: input.riskLevel,
        isDefaultCompliant: false,
        editorUserId: null,
        onboardingId: null,
        address: {
          ...input.address,
          streetLine2: input.address.streetLine2 ?? null,
          state: input.address.state ?? null,
          country: input.address.country.toUpperCase(),
        },
        phoneNumber: input.phoneNumber,
        email: input.email,
        firstName: input.firstName,
        lastName: input.lastName,
        dateOfBirth: input.dateOfBirth,
        citizenshipCountry: input.citizenshipCountry.toUpperCase(),
        residenceCountry: input.residenceCountry.toUpperCase(),
        identificationDocument: {
          ...input.identificationDocument,
          issuedCountryCode: input.identificationDocument.issuedCountryCode.toUpperCase(),
        },
        ...NO_COMPANY_FIELDS,
      },
      { reason: "imported", changedBy: this.caller.subject, requestId: this.requestId },
    );
    if (!created) {
      const existing = await this.repository.findByExternalId(input.externalId);
      throw new AppError(
        "CLIENT_ALREADY_EXISTS",
        `A client with externalId "${input.externalId}" already exists`,
        {
          field: "externalId",
          externalId: input.externalId,
          clientId: existing?.id,
        },
      );
    }
    return { clientId: created.id, externalId: input.externalId };
  }

  async block(id: string, reason: string | null): Promise<Client> {
    return this.changeStatus(id, reason, (from) => {
      assertStatusTransition(from, ClientStatus.BLOCKED);
      return ClientStatus.BLOCKED;
    });
  }

  async unblock(id: string, reason: string | null): Promise<Client> {
    return this.changeStatus(id, reason, (from) => {
      assertCanUnblock(from);
      return ClientStatus.ACTIVE;
    });
  }

  async setStatus(id: string, status: ClientStatus, reason: string | null): Promise<Client> {
    return this.changeStatus(id, reason, (from) => {
      assertStatusTransition(from, status);
      return status;
    });
  }

  /** System only: reasons and actors of blocks are the bank's, not the customer's, to read. */
  async statusHistory(clientId: string): Promise<ClientStatusChange[]> {
    requireSystem(this.caller);
    return this.loaders.statusHistoryByClientId.load(clientId);
  }

  /**
   * Reads the current status, lets `decide` refuse or pick the target, then applies it
   * with a guarded UPDATE. If another change won in between, decide again on the new status.
   */
  private async changeStatus(
    id: string,
    reason: string | null,
    decide: (from: ClientStatus) => ClientStatus,
  ) {
    requireSystem(this.caller);
    for (;;) {
      const [current] = await this.repository.findByIds([id]);
      if (!current) throw new AppError("CLIENT_NOT_FOUND", `No client has id "${id}"`, { clientId: id });
      const to = decide(current.status);
      const facts = { reason, changedBy: this.caller.subject, requestId: this.requestId };
      const updated = await this.repository.changeStatus(current, to, facts);
      if (updated) {
        this.loaders.clientById.clear(id).prime(id, updated);
        return updated;
      }
    }
  }
}

const NO_COMPANY_FIELDS = {
  legalName: null,
  companyType: null,
  companyRegistrationDate: null,
  countryOfRegistration: null,
  taxResidencyCountry: null,
  registrationNumber: null,
  industry: null,
  industryOther: null,
  turnover: null,
  webSite: null,
  taxNumber: null,
  payInsCountries: null,
  payOutsCountries: null,
  isEngagedGambling10K: null,
  isFoundation: null,
  isPubliclyListed: null,
  isRelevantActivity: null,
  purposesAccountOpening: null,
  purposesAccountOpeningOther: null,
  businessPartners: null,
  fundFlows: null,
  complianceEvaluation: null,
  relatedIndividuals: [],
} satisfies Partial<Client>;
