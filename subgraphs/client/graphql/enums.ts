import { registerEnumType } from "type-graphql";
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
}
