import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import {
  DocumentFields,
  DocumentUploadFields,
  registerDocumentEnums,
} from "../../../common/documents/graphql";
import { Connection } from "../../../common/graphql/pagination";
import {
  AccountOpeningPurpose,
  ClientStatus,
  ClientType,
  CompanyType,
  IdentificationDocumentType,
  Industry,
  PaymentRegion,
  RiskLevel,
  Turnover,
} from "../domain/enums";
import { ClientDocumentCategory } from "../domain/documents";
import { Client } from "../persistence/entities";

/** Registers the domain enums with type-graphql; imported once by the schema builder. */
export function registerClientEnums(): void {
  registerEnumType(ClientType, { name: "ClientType" });
  registerEnumType(ClientStatus, {
    name: "ClientStatus",
    valuesConfig: {
      INACTIVE: { description: "Known to the bank but not transacting." },
      ACTIVE: { description: "May hold accounts and move money." },
      BLOCKED: { description: "Frozen by the bank; leaves only by being unblocked." },
    },
  });
  registerEnumType(RiskLevel, { name: "RiskLevel" });
  registerEnumType(IdentificationDocumentType, { name: "IdentificationDocumentType" });
  registerEnumType(Industry, { name: "Industry" });
  registerEnumType(Turnover, { name: "Turnover", description: "Yearly turnover band." });
  registerEnumType(CompanyType, { name: "CompanyType" });
  registerEnumType(PaymentRegion, { name: "PaymentRegion" });
  registerEnumType(AccountOpeningPurpose, { name: "AccountOpeningPurpose" });
  registerEnumType(ClientDocumentCategory, { name: "ClientDocumentCategory" });
  registerDocumentEnums();
}

@ObjectType({ description: "The documented answer to an import." })
export class ImportClientResult {
  @Field(() => ID)
  clientId!: string;

  @Field()
  externalId!: string;
}

@ObjectType({ description: "A page of clients." })
export class ClientConnection extends Connection(Client) {}

@ObjectType({
  description: "A client's KYC document (passport scan, proof of address, company registration...).",
})
export class ClientDocument extends DocumentFields {
  @Field(() => ID)
  clientId!: string;

  @Field(() => ClientDocumentCategory)
  category!: ClientDocumentCategory;
}

@ObjectType({
  description: "A staged upload of a client document: PUT the bytes to `uploadUrl`, then complete it.",
})
export class ClientDocumentUpload extends DocumentUploadFields {
  @Field(() => ID)
  clientId!: string;

  @Field(() => ClientDocumentCategory)
  category!: ClientDocumentCategory;
}
